/** The DFS stand-in's public surface: options, fault operations, recorded requests, the handle. */

export type FaultOp =
  'createFilesystem' | 'create' | 'append' | 'flush' | 'rename' | 'delete' | 'read' | 'stat' | 'list';

export interface FakeDfsOptions {
  /** Default `devstoreaccount1`. */
  accountName?: string;
  /** Default true: HTTPS with a fresh self-signed certificate for 127.0.0.1. */
  https?: boolean;
  /** Default 5000, like the service; smaller values exercise `x-ms-continuation`. */
  listPageSize?: number;
  /** Filesystems that exist from the start. */
  filesystems?: string[];
}

export interface FakeDfsFile {
  body: Buffer;
  contentType: string | null;
  metadata: Record<string, string>;
}

export interface FakeDfsRequest {
  method: string;
  /** Decoded URL path, account segment included: `/devstoreaccount1/bronze/a/b.json`. */
  path: string;
  query: Record<string, string>;
  /** Lowercase names; `authorization` is never recorded. */
  headers: Record<string, string>;
  auth: 'bearer' | 'sharedkey' | 'none';
  status: number;
}

export interface FakeDfs {
  /** `https://127.0.0.1:PORT` */
  readonly url: string;
  /** `https://127.0.0.1:PORT/devstoreaccount1`: what `DataLakeServiceClient` takes. */
  readonly accountUrl: string;
  /** PEM certificate of the server (HTTPS only; empty over http). */
  readonly ca: string;
  requests(): FakeDfsRequest[];
  /** Every file, keyed `<filesystem>/<path>`, with its flushed bytes. */
  files(): Map<string, FakeDfsFile>;
  /** Every directory, as `<filesystem>/<path>`. */
  directories(): string[];
  /** The next `n` calls of `op` fail with `status` (the real service's error shape and code). */
  failNext(op: FaultOp, n: number, status: number): void;
  close(): Promise<void>;
}
