/** Small helpers the durable engine's parts share. */

export function iso(d: Date): string {
  return d.toISOString();
}

export function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** The key of one piece of pending work: a task or timer of one execution of one instance. */
export function jobKey(instanceId: string, executionId: string, id: number): string {
  return `${instanceId}\u0000${executionId}\u0000${id}`;
}

/** Prefix of every job key of an instance. */
export function jobKeyPrefix(instanceId: string): string {
  return `${instanceId}\u0000`;
}

/** Serialises async work per key. */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const result = prev.then(fn, fn);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
