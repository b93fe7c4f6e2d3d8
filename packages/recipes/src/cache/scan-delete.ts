/** SCAN-based deletion of every key under a prefix, in batches, never KEYS. */
import type { RecipeFailureReason, RecipeRedis } from '../recipe-client.js';

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
 * SCAN MATCH `<prefix>*` COUNT `count` (on every master of a Cluster), UNLINK each batch. Each
 * SCAN page and each UNLINK batch is one adapter call with its own deadline; the loop stops at
 * the first one that fails.
 */
export async function scanDelete(
  redis: RecipeRedis,
  operationName: string,
  prefix: string,
  count: number,
  timeout: number | undefined,
): Promise<BulkDeleteResult & { reason?: RecipeFailureReason }> {
  const match = `${escapeGlob(prefix)}*`;
  let deleted = 0;
  for (const node of redis.scanNodes()) {
    let cursor = '0';
    do {
      const scan = await redis.scanStep(
        `${operationName}.scan`,
        node,
        ['SCAN', cursor, 'MATCH', match, 'COUNT', String(count)],
        timeout,
      );
      if (!scan.ok) return { deleted, complete: false, reason: scan.reason };
      const page = parseScanReply(scan.value);
      if (page === undefined) return { deleted, complete: false, reason: 'data' };
      cursor = page.cursor;
      if (page.keys.length > 0) {
        const unlink = await redis.unlink(`${operationName}.unlink`, page.keys, timeout);
        if (!unlink.ok) return { deleted, complete: false, reason: unlink.reason };
        deleted += unlink.value;
      }
    } while (cursor !== '0');
  }
  return { deleted, complete: true };
}

function parseScanReply(reply: unknown): { cursor: string; keys: string[] } | undefined {
  if (
    Array.isArray(reply) &&
    reply.length === 2 &&
    (typeof reply[0] === 'string' || typeof reply[0] === 'number') &&
    Array.isArray(reply[1])
  ) {
    return { cursor: String(reply[0]), keys: (reply[1] as unknown[]).map(String) };
  }
  return undefined;
}
