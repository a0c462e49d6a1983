import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { writeHeartbeat } from '../shared/audit';
import { getLake } from '../shared/clients';
import { getConfig } from '../shared/config';
import { FN } from '../shared/constants';
import type { AuditOutput } from '../shared/orchestration';
import type { AuditInput } from '../shared/types';

export async function auditRun(input: AuditInput, context: InvocationContext): Promise<AuditOutput> {
  const config = getConfig();
  return writeHeartbeat(getLake(config), input, config.apiBaseUrl, (line) => context.log(line));
}

df.app.activity(FN.auditActivity, { handler: auditRun });
