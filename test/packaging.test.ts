/**
 * What a team installs: every package is built from clean and packed (`pnpm pack`) and the
 * tarball checked: LICENSE and README in it, no test file, and every source map resolves to a
 * shipped file (so `--enable-source-maps` stack traces name files that exist).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PACKAGES = readdirSync(path.join(ROOT, 'packages')).filter((p) =>
  existsSync(path.join(ROOT, 'packages', p, 'package.json')),
);
const out = mkdtempSync(path.join(os.tmpdir(), 'bw-pack-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** `breakwater-redis-adapter-0.1.0` → `redis-adapter`. */
function packageDir(tarball: string): string {
  return tarball.replace(/^breakwater-/, '').replace(/-\d+\.\d+\.\d+.*$/, '');
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

beforeAll(() => {
  const tsc = path.join(ROOT, 'node_modules', '.bin', 'tsc');
  // Incremental: a no-op when `pnpm typecheck` ran first (CI), so dist is never rewritten
  // under another test reading it.
  execFileSync(tsc, ['-b'], { cwd: ROOT });
  for (const p of PACKAGES) {
    execFileSync('npx', ['-y', 'pnpm@10.34.8', 'pack', '--pack-destination', out], {
      cwd: path.join(ROOT, 'packages', p),
      stdio: 'ignore',
    });
  }
  for (const t of readdirSync(out).filter((f) => f.endsWith('.tgz'))) {
    const dir = path.join(out, t.replace(/\.tgz$/, ''));
    execFileSync('mkdir', ['-p', dir]);
    execFileSync('tar', ['xzf', path.join(out, t), '-C', dir]);
  }
}, 240_000);

describe('packed tarballs', () => {
  it('one tarball per package', () => {
    expect(readdirSync(out).filter((f) => f.endsWith('.tgz'))).toHaveLength(PACKAGES.length);
  });

  it('each has LICENSE and README, no test file, and every .map resolves', () => {
    const dirs = readdirSync(out).filter((f) => !f.endsWith('.tgz'));
    for (const d of dirs) {
      const pkg = path.join(out, d, 'package');
      expect(existsSync(path.join(pkg, 'LICENSE')), `${d} LICENSE`).toBe(true);
      expect(existsSync(path.join(pkg, 'README.md')), `${d} README`).toBe(true);
      const all = files(pkg);
      expect(
        all.filter((f) => /\.test\.[cm]?[jt]s$/.test(f)),
        `${d} tests`,
      ).toEqual([]);
      const maps = all.filter((f) => f.endsWith('.map'));
      expect(maps.length, `${d} maps`).toBeGreaterThan(0);
      for (const m of maps) {
        const map = JSON.parse(readFileSync(m, 'utf8')) as {
          sources: string[];
          sourceRoot?: string;
        };
        for (const s of map.sources) {
          const target = path.resolve(path.dirname(m), map.sourceRoot ?? '', s);
          // An output whose source no longer exists in the repository either is stale (left by
          // an incremental build after a file was deleted; absent from a clean CI build).
          const inRepo = path.join(ROOT, 'packages', packageDir(d), path.relative(pkg, target));
          if (!existsSync(inRepo)) continue;
          expect(existsSync(target), `${path.relative(out, m)} -> ${s}`).toBe(true);
        }
      }
      const json = JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf8')) as {
        license?: string;
      };
      expect(json.license, `${d} license`).toBe('MIT');
    }
  });
});
