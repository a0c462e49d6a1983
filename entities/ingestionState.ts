import * as df from 'durable-functions';
import type { EntityContext } from 'durable-functions';
import { FN, type DatasetId } from '../shared/constants';
import { applyRecordRun, initialState } from '../shared/state';
import type { DatasetState, RecordRunOperation } from '../shared/types';

export function ingestionState(context: EntityContext<DatasetState>): void {
  const state = context.df.getState(() => initialState(context.df.entityKey as DatasetId)) as DatasetState;
  switch (context.df.operationName) {
    case 'recordRun':
      context.df.setState(
        applyRecordRun(state, context.df.getInput<RecordRunOperation>() as RecordRunOperation),
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
