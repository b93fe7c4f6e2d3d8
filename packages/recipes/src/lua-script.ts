/**
 * Lua scripts of the recipes: EVALSHA, then EVAL only when Redis answered NOSCRIPT (the script
 * did not run, so nothing is ever applied twice). Every key a script touches is passed in KEYS
 * and shares one hash slot (hash tags), so scripts run on a Cluster too.
 */
import { createHash } from 'node:crypto';
import type { SendCommand } from './recipe-client.js';

/** A script with its SHA1, as EVALSHA needs it. */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

/** Wraps a script source with its SHA1. */
export function luaScript(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** Runs `script` with `keys` (first key routes it) and `args`; returns the raw reply. */
export async function evalScript(
  send: SendCommand,
  script: LuaScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  const tail = [String(keys.length), ...keys, ...args.map(String)];
  try {
    return await send(['EVALSHA', script.sha, ...tail], keys[0]);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return send(['EVAL', script.source, ...tail], keys[0]);
  }
}
