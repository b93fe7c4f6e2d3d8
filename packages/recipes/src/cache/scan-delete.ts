/** SCAN-based deletion of every key under a prefix, in batches, never KEYS. */
import { command, runRedisStep } from '../recipe-client.js';
import type { RecipeAdapter, RecipeFailureReason } from '../recipe-client.js';

/** Escapes the glob metacharacters of SCAN MATCH (`* ? [ ] \`). */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** Result of a bulk delete. */
export interface BulkDeleteResult {
  /** Keys unlinked. */
  deleted: number;
  /** False when Redis became unavailable part-way (or was from the start). */
  complete: boolean;
}

/**
 * SCAN MATCH `<prefix>*` COUNT `count`, UNLINK each batch. Each SCAN and each UNLINK is one
 * adapter call with its own deadline; the loop stops at the first one that fails.
 */
export async function scanDelete(
  adapter: RecipeAdapter,
  operationName: string,
  prefix: string,
  count: number,
  timeout: number | undefined,
  failFast = true,
): Promise<BulkDeleteResult & { reason?: RecipeFailureReason }> {
  const match = `${escapeGlob(prefix)}*`;
  let cursor = '0';
  let deleted = 0;
  do {
    const scan = await runRedisStep(
      adapter,
      `${operationName}.scan`,
      async (client, signal) =>
        parseScanReply(
          await command(client, signal, ['SCAN', cursor, 'MATCH', match, 'COUNT', String(count)]),
        ),
      timeout,
      failFast,
    );
    if (!scan.ok) return { deleted, complete: false, reason: scan.reason };
    cursor = scan.value.cursor;
    if (scan.value.keys.length > 0) {
      const keys = scan.value.keys;
      const unlink = await runRedisStep(
        adapter,
        `${operationName}.unlink`,
        async (client, signal) => Number(await command(client, signal, ['UNLINK', ...keys])),
        timeout,
        failFast,
      );
      if (!unlink.ok) return { deleted, complete: false, reason: unlink.reason };
      deleted += unlink.value;
    }
  } while (cursor !== '0');
  return { deleted, complete: true };
}

function parseScanReply(reply: unknown): { cursor: string; keys: string[] } {
  if (
    Array.isArray(reply) &&
    reply.length === 2 &&
    (typeof reply[0] === 'string' || typeof reply[0] === 'number') &&
    Array.isArray(reply[1])
  ) {
    return { cursor: String(reply[0]), keys: (reply[1] as unknown[]).map(String) };
  }
  throw new TypeError('unexpected SCAN reply shape');
}
