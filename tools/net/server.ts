import type { Server } from 'node:http';
import type { Writable } from 'node:stream';

/**
 * Stops a server now: open keep-alive and in-flight connections are cut, so tests and CLIs never
 * wait for idle sockets to time out. Safe to call twice.
 */
export function closeServer(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}

/** Resolves when a response that refused a write can take more, or when its client went away. */
export function waitForDrain(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}
