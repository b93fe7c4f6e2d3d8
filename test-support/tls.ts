/** Generates a throw-away CA and a server certificate for 127.0.0.1/localhost with openssl. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TlsFiles {
  dir: string;
  caCertFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  /** CA certificate PEM text. */
  ca: string;
  /** PEM of a second, unrelated CA, for "wrong CA" tests. */
  otherCa: string;
}

const dirs = new Set<string>();
let hook = false;

function openssl(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { cwd, timeout: 30_000 }, (err, _out, stderr) =>
      err ? reject(new Error(`openssl ${args[0]} failed: ${stderr || err.message}`)) : resolve(),
    );
  });
}

async function makeCa(dir: string, name: string): Promise<void> {
  await openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-sha256',
      '-days',
      '2',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-subj',
      `/CN=breakwater-test-${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
}

/**
 * CA + server key/cert (SAN DNS:localhost, IP:127.0.0.1, 2 days; also a client certificate, as
 * a TLS cluster bus and TLS replication authenticate both ends with it), plus an unrelated CA.
 */
export async function createTestCa(): Promise<TlsFiles> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bw-tls-'));
  dirs.add(dir);
  if (!hook) {
    hook = true;
    process.once('exit', () => {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });
  }
  await Promise.all([makeCa(dir, 'ca'), makeCa(dir, 'other-ca')]);
  writeFileSync(
    path.join(dir, 'server.ext'),
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth,clientAuth',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '',
    ].join('\n'),
  );
  await openssl(
    [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
      '-subj',
      '/CN=localhost',
    ],
    dir,
  );
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.crt',
      '-days',
      '2',
      '-sha256',
      '-extfile',
      'server.ext',
    ],
    dir,
  );
  const caCertFile = path.join(dir, 'ca.crt');
  return {
    dir,
    caCertFile,
    serverCertFile: path.join(dir, 'server.crt'),
    serverKeyFile: path.join(dir, 'server.key'),
    ca: readFileSync(caCertFile, 'utf8'),
    otherCa: readFileSync(path.join(dir, 'other-ca.crt'), 'utf8'),
  };
}

/** Removes the files of a CA made by {@link createTestCa}. */
export function removeTestCa(files: TlsFiles): void {
  rmSync(files.dir, { recursive: true, force: true });
  dirs.delete(files.dir);
}
