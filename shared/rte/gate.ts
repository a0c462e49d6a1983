import pLimit from 'p-limit';

/**
 * Runs at most `limit` ODRE requests at once in this process, the others waiting in order. Lanes
 * keep more fetches scheduled than the gate lets through, so a request starts the moment another
 * one's answer is in, instead of one orchestration round trip later.
 */
export type RequestGate = <T>(send: () => Promise<T>) => Promise<T>;

export function createRequestGate(limit: number): RequestGate {
  const run = pLimit(Math.max(1, Math.floor(limit)));
  return (send) => run(send);
}

/** No gate: requests go out as they come (a client built without one). */
export const ungated: RequestGate = (send) => send();
