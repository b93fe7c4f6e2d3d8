#!/usr/bin/env node
// Makes sure the programs the test suites start are on this machine: the
// integration tests run real redis-server processes (and redis-cli for the
// cluster), the metrics tests validate the exposition with promtool, and the
// TLS tests generate a CA with openssl. On a Debian machine where we are root,
// anything missing is installed with apt-get; elsewhere we stop with a clear
// message instead of letting tests be skipped.
import { execFileSync, spawnSync } from 'node:child_process';

const tools = [
  { bin: 'redis-server', pkg: 'redis-server' },
  { bin: 'redis-cli', pkg: 'redis-tools' },
  { bin: 'promtool', pkg: 'prometheus' },
  { bin: 'openssl', pkg: 'openssl' },
];

const has = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
const missing = tools.filter((t) => !has(t.bin));
if (missing.length === 0) process.exit(0);

const pkgs = [...new Set(missing.map((t) => t.pkg))];
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!isRoot || !has('apt-get')) {
  console.error(
    `The tests need ${missing.map((t) => t.bin).join(', ')}. Install the Debian packages: ` +
      `apt-get install -y ${pkgs.join(' ')}`,
  );
  process.exit(1);
}
console.log(`Installing test tools: ${pkgs.join(' ')}`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], {
  stdio: 'inherit',
  env,
});
const still = missing.filter((t) => !has(t.bin));
if (still.length > 0) {
  console.error(`Still missing after install: ${still.map((t) => t.bin).join(', ')}`);
  process.exit(1);
}
