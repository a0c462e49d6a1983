import * as df from 'durable-functions';
import type { EntityContext } from 'durable-functions';
import { FN, type DatasetId } from '../shared/constants';
import { applyRecordCoverage, applyRecordRun, initialState, normalizeState } from '../shared/state';
import type { DatasetState, RecordCoverageOperation, RecordRunOperation } from '../shared/types';

export function ingestionState(context: EntityContext<DatasetState>): void {
  const state = normalizeState(
    context.df.getState(() => initialState(context.df.entityKey as DatasetId)) as DatasetState,
  );
  switch (context.df.operationName) {
    case 'recordRun':
      context.df.setState(
        applyRecordRun(state, context.df.getInput<RecordRunOperation>() as RecordRunOperation),
      );
      break;
    case 'recordCoverage':
      context.df.setState(
        applyRecordCoverage(state, context.df.getInput<RecordCoverageOperation>() as RecordCoverageOperation),
      );
      break;
    case 'get':
      context.df.return(state);
      break;
    default:
      throw new Error(`unknown operation ${String(context.df.operationName)} on ${FN.stateEntity}`);
  }
}

df.app.entity(FN.stateEntity, ingestionState);
