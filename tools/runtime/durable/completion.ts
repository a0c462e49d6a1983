/** Waiting for an instance to finish, from the engine's `instance` events. */
import type { EventEmitter } from 'node:events';
import { isTerminal, type InstanceRecord } from './types';
import { clone } from './util';

/** Resolves with the instance once it is Completed, Failed or Terminated; rejects after `timeoutMs`. */
export function completion(
  events: EventEmitter,
  current: () => InstanceRecord | undefined,
  instanceId: string,
  timeoutMs?: number,
): Promise<InstanceRecord> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const check = (): boolean => {
      const rec = current();
      if (rec && isTerminal(rec.status)) {
        events.off('instance', onChange);
        if (timer) clearTimeout(timer);
        resolve(clone(rec));
        return true;
      }
      return false;
    };
    const onChange = (rec: InstanceRecord): void => {
      if (rec.instanceId === instanceId) check();
    };
    events.on('instance', onChange);
    if (check()) return;
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        events.off('instance', onChange);
        reject(new Error(`Instance ${instanceId} did not finish within ${timeoutMs} ms`));
      }, timeoutMs);
    }
  });
}
