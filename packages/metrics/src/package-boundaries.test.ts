import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const packages = fileURLToPath(new URL('../../', import.meta.url));

/** Non-test .ts files under `dir`, recursively. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sources(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [full] : [];
  });
}

const importsOf = (file: string): string[] =>
  [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]!);

describe('package boundaries', () => {
  test('metrics sources import neither the breaker nor the adapter', () => {
    const src = path.join(packages, 'metrics/src');
    const files = sources(src);
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      for (const spec of importsOf(file)) {
        expect(spec, file).not.toMatch(/^@breakwater\//);
        // Relative imports (the otel/ subpath uses the shared modules) stay inside metrics/src.
        if (spec.startsWith('.')) {
          expect(path.resolve(path.dirname(file), spec).startsWith(src + path.sep), file).toBe(
            true,
          );
        }
      }
    }
  });

  test('nothing in the breaker or the adapter imports the metrics package', () => {
    for (const pkg of ['breaker', 'redis-adapter']) {
      for (const file of sources(path.join(packages, pkg, 'src'))) {
        expect(importsOf(file), file).not.toContain('@breakwater/metrics');
      }
    }
  });

  test('metrics sources never touch registry-wide settings or the global registry', () => {
    for (const file of sources(path.join(packages, 'metrics/src'))) {
      const text = readFileSync(file, 'utf8');
      for (const banned of [
        'collectDefaultMetrics',
        'setDefaultLabels',
        '.clear(',
        'resetMetrics',
        'globalRegistry',
        'register,',
        'register }',
      ]) {
        expect(text.includes(banned), `${file} uses ${banned}`).toBe(false);
      }
    }
  });
});
