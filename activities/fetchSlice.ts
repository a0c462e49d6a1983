import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { getLake, getWindowFetcher } from '../shared/clients';
import { getConfig } from '../shared/config';
import { FN } from '../shared/constants';
import { fetchSliceToStaging } from '../shared/fetchSlice';
import type { FetchInput, FetchResult } from '../shared/types';

export async function fetchSlice(input: FetchInput, context: InvocationContext): Promise<FetchResult> {
  const config = getConfig();
  const result = await fetchSliceToStaging(
    { lake: getLake(config), fetchWindow: getWindowFetcher(config) },
    input,
  );
  context.log(
    result.ok
      ? `fetched ${result.slice.key}: ${result.records} records, ${result.bytes} bytes, rateLimitRemaining=${result.rateLimitRemaining ?? 'n/a'}`
      : `fetch ${result.slice.key} refused: ${result.failure.code} ${result.failure.message}`,
  );
  return result;
}

df.app.activity(FN.fetchActivity, { handler: fetchSlice });
