/**
 * Scripts behind the limiter's refund / peek: they read and adjust the key a consume wrote,
 * in the same layout (fixed: a string counter with PX; sliding: hash w/c/p), atomically.
 * Frameworks need them: express-rate-limit gives back a hit (skipSuccessfulRequests) and
 * reads a client's count (getKey); @nestjs/throttler and @fastify/rate-limit read counts.
 */
import { evalScript, luaScript } from '../lua-script.js';
import type { LuaScript } from '../lua-script.js';
import type { SendCommand } from '../recipe-client.js';

/** Fixed window: lower the counter by up to ARGV[1] (never below 0), keeping its expiry. */
const REFUND_FIXED = luaScript(`
local c = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if c <= 0 or redis.call('PTTL', KEYS[1]) < 0 then return 0 end
redis.call('DECRBY', KEYS[1], math.min(c, tonumber(ARGV[1])))
return 1
`);

/** Sliding window: lower the current window's count (HINCRBY keeps the hash's expiry). */
const REFUND_SLIDING = luaScript(`
local c = tonumber(redis.call('HGET', KEYS[1], 'c') or '0') or 0
if c <= 0 then return 0 end
redis.call('HINCRBY', KEYS[1], 'c', -math.min(c, tonumber(ARGV[1])))
return 1
`);

/** Fixed window: `{ used, resetMs }`, or `{ -1, 0 }` when nothing is counted. */
const PEEK_FIXED = luaScript(`
local c = tonumber(redis.call('GET', KEYS[1]) or '')
local ttl = redis.call('PTTL', KEYS[1])
if c == nil or ttl < 0 then return {-1, 0} end
return {c, ttl}
`);

/** Sliding window: the same weighted estimate the consume script uses, without counting. */
const PEEK_SLIDING = luaScript(`
local window = tonumber(ARGV[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local idx = math.floor(now / window)
local elapsed = now - idx * window
local h = redis.call('HMGET', KEYS[1], 'w', 'c', 'p')
local w = tonumber(h[1])
if w == nil then return {-1, 0} end
local cur = tonumber(h[2]) or 0
local prev = tonumber(h[3]) or 0
if w == idx - 1 then
  prev = cur
  cur = 0
elseif w ~= idx then
  return {-1, 0}
end
return {math.ceil(prev * (window - elapsed) / window + cur), window - elapsed}
`);

/** What a limiter has counted for a key in its current window. */
export interface LimiterUsage {
  /** Units counted (sliding: the weighted estimate, rounded up). */
  used: number;
  /** Milliseconds until the window ends. */
  resetMs: number;
}

const scripts: Record<'fixed' | 'sliding', { refund: LuaScript; peek: LuaScript }> = {
  fixed: { refund: REFUND_FIXED, peek: PEEK_FIXED },
  sliding: { refund: REFUND_SLIDING, peek: PEEK_SLIDING },
};

/** Gives back up to `cost` units; resolves whether anything was counted to give back. */
export async function refundScript(
  send: SendCommand,
  algorithm: 'fixed' | 'sliding',
  key: string,
  cost: number,
): Promise<boolean> {
  const reply = await evalScript(send, scripts[algorithm].refund, [key], [cost]);
  if (reply !== 0 && reply !== 1) throw new TypeError('unexpected rate limiter refund reply');
  return reply === 1;
}

/** Reads the key's usage; undefined when nothing is counted in the current window. */
export async function peekScript(
  send: SendCommand,
  algorithm: 'fixed' | 'sliding',
  key: string,
  windowMs: number,
): Promise<LimiterUsage | undefined> {
  const reply = await evalScript(send, scripts[algorithm].peek, [key], [windowMs]);
  if (!Array.isArray(reply) || reply.length !== 2 || !reply.every((v) => typeof v === 'number')) {
    throw new TypeError('unexpected rate limiter peek reply');
  }
  const [used, resetMs] = reply as number[];
  return used < 0 ? undefined : { used, resetMs };
}
