/** Runs `redis-cli` for test servers. */
import { execFile } from 'node:child_process';

export const REDIS_CLI_BIN = process.env.REDIS_CLI_BIN ?? '/usr/bin/redis-cli';

const ERROR_REPLY =
  /^(ERR|NOAUTH|WRONGPASS|WRONGTYPE|NOPERM|LOADING|BUSY\w*|MOVED|ASK|CLUSTERDOWN|READONLY|NOSCRIPT|EXECABORT|MASTERDOWN|NOREPLICAS|MISCONF|UNKILLABLE|NOTBUSY|CROSSSLOT|TRYAGAIN|NOPROTO|IOERR|NOTREADY)\b/;

/** Runs redis-cli with `args`; rejects on non-zero exit, timeout, or an error reply. */
export function runCli(args: string[], timeoutMs = 10_000, secret?: string): Promise<string> {
  const redact = (s: string): string => (secret ? s.split(secret).join('***') : s);
  return new Promise((resolve, reject) => {
    execFile(
      REDIS_CLI_BIN,
      args,
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const out = stdout.trim();
        const shownArgs = redact(args.join(' '));
        if (err) {
          reject(
            new Error(
              `redis-cli ${shownArgs} failed: ${redact(err.message)} ${redact(stderr)}`.trim(),
            ),
          );
        } else if (ERROR_REPLY.test(out)) {
          reject(new Error(`redis-cli ${shownArgs}: ${redact(out)}`));
        } else {
          resolve(out);
        }
      },
    );
  });
}
