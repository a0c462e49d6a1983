/** `entities/{name}[/{key}]` of the durable HTTP API: list, read and signal entities. */
import type { DurableEngine } from './engine';
import { flag, type Reply } from './apiReply';
import { parseJson, secondsIso } from './statusPayload';

export async function entitiesRoute(
  engine: DurableEngine,
  method: string,
  name: string,
  key: string | undefined,
  q: URLSearchParams,
  body: string,
): Promise<Reply> {
  if (!key) {
    if (method !== 'GET') return { status: 405 };
    const fetchState = flag(q, 'fetchState') === true;
    return {
      status: 200,
      body: engine.listEntities(name).map((e) => ({
        entityId: { name: e.name, key: e.key },
        lastOperationTime: secondsIso(e.lastModifiedTime),
        ...(fetchState ? { state: parseJson(e.state) } : {}),
      })),
    };
  }
  if (method === 'GET') {
    const { exists, state } = engine.readEntity(name, key);
    return exists ? { status: 200, body: state } : { status: 404 };
  }
  if (method === 'POST') {
    // An operation input that is not JSON is passed on as text.
    const input = body.trim() === '' ? undefined : parseJson(body);
    await engine.signalEntity(name, key, q.get('op') ?? '', input);
    return { status: 202 };
  }
  return { status: 405 };
}
