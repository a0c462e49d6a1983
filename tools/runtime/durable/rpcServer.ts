/** The durable HTTP API's internal RPC endpoint (`rpcBaseUrl`) on a loopback port. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer } from '../../net/server';
import { send } from './apiReply';
import { RPC_PREFIX } from './clientData';
import type { DurableHttpApi } from './httpApi';

/** Serves the RPC form on a loopback port; resolves with its base URL (ends with `/durabletask/`). */
export async function startRpcServer(
  api: DurableHttpApi,
  port = 0,
): Promise<{ server: Server; rpcBaseUrl: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!url.pathname.startsWith(RPC_PREFIX)) {
      req.resume();
      send(res, { status: 404 });
      return;
    }
    void api.serve(req, res, url, url.pathname.slice(RPC_PREFIX.length));
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    server,
    rpcBaseUrl: `http://127.0.0.1:${addr.port}${RPC_PREFIX}`,
    close: () => closeServer(server),
  };
}
