import { startFakeOdre, type FakeOdre, type FakeOdreOptions } from '../../../../tools/standins/odre/server';

/** Response bodies are inspected loosely here. */
export type Json = ReturnType<typeof JSON.parse>;
/** A served row. */
export type Row = Record<string, unknown>;

const started: FakeOdre[] = [];

export async function start(options: FakeOdreOptions = {}): Promise<FakeOdre> {
  const f = await startFakeOdre(options);
  started.push(f);
  return f;
}

export async function stopAll(): Promise<void> {
  await Promise.all(started.splice(0).map((f) => f.close()));
}

export function where(from: string, to: string): string {
  return `date_heure >= date'${from}' and date_heure < date'${to}'`;
}

export function apiUrl(f: FakeOdre, path: string, params: Record<string, string> = {}): string {
  const u = new URL(`${f.url}/api/explore/v2.1/catalog/datasets/${path}`);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}

export async function get(
  f: FakeOdre,
  path: string,
  params: Record<string, string> = {},
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; text: string; json: () => Json }> {
  const res = await fetch(apiUrl(f, path, params), { headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: (): Json => JSON.parse(text) };
}

export async function controlPost(f: FakeOdre, what: string, body: unknown): Promise<Json> {
  const res = await fetch(`${f.url}/__control/${what}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return res.json();
}

/** All rows of a window, through the exports endpoint. */
export async function rowsOf(f: FakeOdre, dataset: string, from: string, to: string): Promise<Row[]> {
  const res = await get(f, `${dataset}/exports/json`, { where: where(from, to) });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.text}`);
  return res.json() as Row[];
}
