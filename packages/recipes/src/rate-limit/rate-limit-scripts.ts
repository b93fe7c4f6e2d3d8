/**
 * The rate limiter's Lua scripts: each consume is ONE atomic EVALSHA (EVAL on NOSCRIPT, which
 * Redis answers without running anything, so no increment is ever applied twice). One key per
 * script, so they run on a Cluster as they are.
 *
 * Both scripts take KEYS[1] = the counter key, ARGV = limit, windowMs, cost, and return
 * `{ allowed (0|1), remaining, resetMs }`. A denied consume does not count.
 */
import { evalScript, luaScript } from '../lua-script.js';
import type { LuaScript } from '../lua-script.js';
import type { SendCommand } from '../recipe-client.js';

/**
 * Fixed window anchored at the first counted request: a string counter with a PX expiry equal
 * to the window. resetMs = the counter's remaining PTTL.
 */
export const FIXED_WINDOW_SCRIPT = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local count = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  count = 0
  ttl = window
end
if count + cost > limit then
  return {0, math.max(0, limit - count), ttl}
end
redis.call('SET', KEYS[1], count + cost, 'PX', ttl)
return {1, limit - count - cost, ttl}
`;

/**
 * Sliding-window counter (the Cloudflare/Figma approximation): windows aligned on Redis' clock
 * (TIME); the previous window's count weighs in proportionally to its overlap with the last
 * windowMs. One hash per key: w = window index, c = its count, p = previous window's count.
 * Allowed: resetMs = ms until the current aligned window ends. Denied: resetMs = the earliest
 * wait after which `cost` would fit, assuming no other traffic.
 */
export const SLIDING_WINDOW_SCRIPT = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local idx = math.floor(now / window)
local elapsed = now - idx * window
local h = redis.call('HMGET', KEYS[1], 'w', 'c', 'p')
local w = tonumber(h[1])
local cur = tonumber(h[2]) or 0
local prev = tonumber(h[3]) or 0
if w == nil then
  cur = 0
  prev = 0
elseif w == idx - 1 then
  prev = cur
  cur = 0
elseif w ~= idx then
  prev = 0
  cur = 0
end
local used = prev * (window - elapsed) / window + cur
if used + cost > limit then
  local wait
  if cur + cost <= limit then
    wait = window - math.floor(window * (limit - cost - cur) / prev) - elapsed
  else
    wait = (window - elapsed) + window - math.floor(window * (limit - cost) / cur)
  end
  if wait < 1 then wait = 1 end
  return {0, math.max(0, math.floor(limit - used)), wait}
end
cur = cur + cost
redis.call('HSET', KEYS[1], 'w', idx, 'c', cur, 'p', prev)
redis.call('PEXPIRE', KEYS[1], 2 * window - elapsed)
return {1, math.max(0, math.floor(limit - used - cost)), window - elapsed}
`;

export const FIXED_WINDOW = luaScript(FIXED_WINDOW_SCRIPT);
export const SLIDING_WINDOW = luaScript(SLIDING_WINDOW_SCRIPT);

/** The decoded reply of a limiter script. */
export interface ScriptVerdict {
  allowed: boolean;
  remaining: number;
  resetMs: number;
}

/** Runs a limiter script on `key`; throws on an error reply or an unexpected reply. */
export async function runLimiterScript(
  send: SendCommand,
  script: LuaScript,
  key: string,
  args: readonly [limit: number, windowMs: number, cost: number],
): Promise<ScriptVerdict> {
  return parseVerdict(await evalScript(send, script, [key], args));
}

/** Decodes `{allowed, remaining, resetMs}`; throws a TypeError on any other shape. */
export function parseVerdict(reply: unknown): ScriptVerdict {
  if (Array.isArray(reply) && reply.length === 3 && reply.every((v) => typeof v === 'number')) {
    const [allowed, remaining, resetMs] = reply as number[];
    return { allowed: allowed === 1, remaining, resetMs };
  }
  throw new TypeError('unexpected rate limiter script reply');
}
