import { X509Certificate } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeCertificate, selfSignedCertificate } from '../../../tools/net/certificate';
import { constantTimeEqual, matchesAny } from '../../../tools/net/constantTime';
import { closeServer, waitForDrain } from '../../../tools/net/server';

describe('closeServer', () => {
  it('cuts a keep-alive connection at once and may be called twice', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const agent = new http.Agent({ keepAlive: true });
    const body = await new Promise<string>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, agent }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    expect(body).toBe('ok');
    await closeServer(server);
    await closeServer(server);
    expect(server.listening).toBe(false);
    agent.destroy();
  });
});

describe('waitForDrain', () => {
  it('resolves when the client goes away before the response drains', async () => {
    let waited: Promise<void> | undefined;
    const server = http.createServer((_req, res) => {
      while (res.write(Buffer.alloc(64 * 1024))) {
        // fill the socket until it refuses
      }
      waited = waitForDrain(res);
      res.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => {
      http.get({ host: '127.0.0.1', port }, (res) => res.on('close', resolve)).on('error', () => resolve());
    });
    await expect(waited).resolves.toBeUndefined();
    await closeServer(server);
  });
});

describe('constantTimeEqual', () => {
  it('matches equal secrets only, whatever their lengths', () => {
    expect(constantTimeEqual('s3cret', 's3cret')).toBe(true);
    expect(constantTimeEqual('s3cret', 's3creT')).toBe(false);
    expect(constantTimeEqual('s3cret', 's3cret-longer')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });
});

describe('matchesAny', () => {
  it('accepts any one of the candidates, never an absent or empty secret, never an empty candidate', () => {
    expect(matchesAny('k2', ['k1', 'k2'])).toBe(true);
    expect(matchesAny('k3', ['k1', 'k2'])).toBe(false);
    expect(matchesAny(undefined, ['k1'])).toBe(false);
    expect(matchesAny(null, ['k1'])).toBe(false);
    expect(matchesAny('', ['', 'k1'])).toBe(false);
    expect(matchesAny('k1', [])).toBe(false);
  });
});

describe('certificates', () => {
  it('makes a certificate for the names asked, and one loopback certificate per process', () => {
    const c = new X509Certificate(makeCertificate('ww.example', ['DNS:ww.example']).cert);
    expect(c.subject).toBe('CN=ww.example');
    expect(c.subjectAltName).toBe('DNS:ww.example');
    const loop = selfSignedCertificate();
    expect(selfSignedCertificate()).toBe(loop);
    expect(new X509Certificate(loop.cert).checkIP('127.0.0.1')).toBe('127.0.0.1');
  });
});
