/**
 * The Express app of the Cluster and Sentinel outage drills: express-rate-limit, express-session
 * and Keyv behind one app, each with the breakwater store over one (Cluster or Sentinel) adapter.
 * Each route has exactly one Redis call on its path, so each answer is bounded by one deadline:
 *   GET /hit/:u   rateLimit() (key u, onOutage 'open')          → 'ok'
 *   GET /me/:u    session() as user u (cookie from /login/:u)   → { u, user }
 *   GET /item/:u  Keyv get; on a miss load, and set in the background → { id, hit }
 */
import http from 'node:http';
import express from 'express';
import { rateLimit } from 'express-rate-limit';
import session from 'express-session';
import { Keyv } from 'keyv';
import type { InstrumentableRedisAdapter } from '@breakwater/metrics';
import { BreakwaterRateLimitStore } from '@breakwater/recipes/express-rate-limit';
import { BreakwaterSessionStore } from '@breakwater/recipes/express-session';
import { BreakwaterKeyvStore } from '@breakwater/recipes/keyv';
import type { RecipeAdapter } from '../src/index.js';
import { httpRequest } from '../../../test-support/http-load.js';
import { serve } from './integration-app.js';
import type { TestServer } from './integration-app.js';

declare module 'express-session' {
  interface SessionData {
    user?: string;
  }
}

/** The Redis operations whose degraded answers /metrics counts, by integration. */
export const DRILL_OPERATIONS = {
  rateLimit: 'rate-limiter.consume',
  session: 'session-store.get',
  keyv: 'cache.get',
} as const;

export type Integration = keyof typeof DRILL_OPERATIONS;

export interface DrillApp {
  server: TestServer;
  /** The users u0…u(n-1), each signed in (cookie kept in process). */
  users: string[];
  stores: {
    rateLimit: BreakwaterRateLimitStore;
    session: BreakwaterSessionStore;
    keyv: BreakwaterKeyvStore;
  };
  /** The Redis key each integration uses for user `u`. */
  redisKey(integration: Integration, u: string): string;
  /** Path of the i-th request of a load: the three routes in turn, over every user. */
  path(i: number): string;
  /** The path that makes `integration` use `u`'s key. */
  pathFor(integration: Integration, u: string): string;
  /** Degraded answers of the three stores together. */
  degraded(): number;
  close(): Promise<void>;
}

const ROUTES: Record<Integration, string> = { rateLimit: 'hit', session: 'me', keyv: 'item' };

export async function startDrillApp(
  adapter: RecipeAdapter & InstrumentableRedisAdapter,
  userCount = 30,
): Promise<DrillApp> {
  const stores = {
    rateLimit: new BreakwaterRateLimitStore(adapter, { onOutage: 'open', name: 'drill' }),
    session: new BreakwaterSessionStore(adapter),
    keyv: new BreakwaterKeyvStore(adapter),
  };
  const keyv = new Keyv({ store: stores.keyv, namespace: 'items' });
  const cookies = new Map<string, string>();
  const sids = new Map<string, string>();
  const sessions = session({
    store: stores.session,
    secret: 'drill-secret',
    resave: false,
    saveUninitialized: false,
    cookie: { maxAge: 3_600_000 },
  });

  const app = express();
  app.get(
    '/hit/:u',
    rateLimit({
      windowMs: 60_000,
      limit: 1_000_000,
      store: stores.rateLimit,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      keyGenerator: (req) => String(req.params.u),
    }),
    (_req, res) => void res.send('ok'),
  );
  app.post('/login/:u', sessions, (req, res) => {
    req.session.user = String(req.params.u);
    res.send('ok');
  });
  app.get(
    '/me/:u',
    (req, _res, next) => {
      // The load sends no cookie: each request is signed in as the user of its path.
      req.headers.cookie = cookies.get(String(req.params.u));
      next();
    },
    sessions,
    (req, res) => void res.json({ u: req.params.u, user: req.session.user ?? null }),
  );
  app.get('/item/:u', async (req, res) => {
    const id = String(req.params.u);
    const cached = await keyv.get<{ id: string }>(id);
    if (cached === undefined) void keyv.set(id, { id }, 60_000);
    res.json({ id: (cached ?? { id }).id, hit: cached !== undefined });
  });

  const server = await serve(adapter, app);
  const users = Array.from({ length: userCount }, (_, i) => `u${i}`);
  const agent = new http.Agent({ keepAlive: true });
  for (const u of users) {
    const r = await httpRequest(agent, server.port, `/login/${u}`, { method: 'POST' });
    if (r.status !== 200) throw new Error(`login of ${u} answered ${r.status}`);
    const cookie = String(r.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
    cookies.set(u, cookie);
    sids.set(u, decodeURIComponent(cookie.split('=')[1]!).slice(2).split('.')[0]!);
  }
  agent.destroy();
  const integrations = Object.keys(ROUTES) as Integration[];

  return {
    server,
    users,
    stores,
    redisKey(integration, u) {
      if (integration === 'rateLimit') return `breakwater:rl:drill:${u}`;
      if (integration === 'session') return `sess:${sids.get(u)}`;
      return `breakwater:keyv:items:${u}`;
    },
    path: (i) => `/${ROUTES[integrations[i % 3]!]}/${users[Math.floor(i / 3) % users.length]}`,
    pathFor: (integration, u) => `/${ROUTES[integration]}/${u}`,
    degraded: () =>
      stores.rateLimit.stats().degraded +
      stores.session.stats().degraded +
      stores.keyv.stats().degraded,
    async close() {
      await stores.keyv.disconnect();
      await server.close();
    },
  };
}
