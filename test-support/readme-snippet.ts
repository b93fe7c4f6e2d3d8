/** Reads the code a README shows, so that tests run it exactly as written. */
import { readFileSync } from 'node:fs';

/**
 * The first ```ts block after `marker` (a heading such as `'\n## Quick start'`, or an HTML
 * comment such as `'<!-- quick-start'`) in the README at `readmePath`. Throws naming the file
 * and the marker when either is missing.
 */
export function readmeSnippet(readmePath: string, marker: string): string {
  const text = readFileSync(readmePath, 'utf8');
  const from = text.indexOf(marker);
  const m = from < 0 ? null : /```ts\n([\s\S]*?)```/.exec(text.slice(from));
  if (m?.[1] === undefined) {
    throw new Error(`no \`\`\`ts block after ${JSON.stringify(marker)} in ${readmePath}`);
  }
  return m[1];
}
