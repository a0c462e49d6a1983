import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { getLake } from '../shared/clients';
import { getConfig } from '../shared/config';
import { FN } from '../shared/constants';
import { storeStagedSlice } from '../shared/storeSlice';
import type { StoredFile, StoreInput } from '../shared/types';

export async function storeSlice(input: StoreInput, context: InvocationContext): Promise<StoredFile> {
  const file = await storeStagedSlice(getLake(getConfig()), input);
  context.log(
    `${file.written ? 'stored' : 'already stored'} ${file.path} (${file.records} records, sha256 ${file.sha256})`,
  );
  return file;
}

df.app.activity(FN.storeActivity, { handler: storeSlice });
