import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Certificate {
  key: string;
  cert: string;
}

/**
 * A self-signed EC certificate made with `openssl`, valid two days.
 * `altNames` are subjectAltName entries such as `IP:127.0.0.1` or `DNS:localhost`.
 */
export function makeCertificate(commonName: string, altNames: readonly string[]): Certificate {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-tls-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
        .concat(['-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', `/CN=${commonName}`])
        .concat(['-addext', `subjectAltName=${altNames.join(',')}`]),
      { stdio: 'pipe' },
    );
    return { key: fs.readFileSync(keyFile, 'utf8'), cert: fs.readFileSync(certFile, 'utf8') };
  } catch (err) {
    throw new Error(
      `Could not create a self-signed certificate with openssl (${(err as NodeJS.ErrnoException).code ?? 'error'}); ` +
        'start the stand-in with { https: false } and a StorageSharedKeyCredential instead',
      { cause: err },
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

let loopback: Certificate | undefined;

/** The stand-ins' certificate for 127.0.0.1 and localhost, made once per process. */
export function selfSignedCertificate(): Certificate {
  loopback ??= makeCertificate('127.0.0.1', ['IP:127.0.0.1', 'DNS:localhost']);
  return loopback;
}
