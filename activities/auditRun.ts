import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { writeHeartbeat } from '../shared/audit';
import { digestIfDue } from '../shared/coverage/digest';
import { getLake } from '../shared/clients';
import { getConfig } from '../shared/config';
import { FN } from '../shared/constants';
import type { AuditOutput } from '../shared/orchestration';
import type { AuditInput } from '../shared/types';

export async function auditRun(input: AuditInput, context: InvocationContext): Promise<AuditOutput> {
  const config = getConfig();
  const lake = getLake(config);
  const out = await writeHeartbeat(lake, input, config.apiBaseUrl, (line) => context.log(line));
  await digestIfDue(lake, input, (line) => context.log(line));
  return out;
}

df.app.activity(FN.auditActivity, { handler: auditRun });
