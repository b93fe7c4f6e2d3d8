/**
 * The one place where recipes talk to Redis: {@link RecipeRedis} runs every recipe step through
 * the adapter's `executeRedisOperation` (so every degraded answer is counted and reported by
 * the adapter), sends raw commands in the shape of the adapter's topology, and tracks whether
 * a failed step's commands may still be applied by Redis (sent before the deadline passed).
 */
import type { RedisFailureKind } from '@breakwater/redis-adapter';
import type {
  ClusterCommandClient,
  IoredisClusterCommandClient,
  IoredisCommandClient,
  RecipeAdapter,
  SingleServerCommandClient,
} from './recipe-adapter.js';

/**
 * Why a recipe could not use Redis: an adapter failure kind, or `data` when Redis answered
 * with an error reply (WRONGTYPE, a script error…) or an unexpected reply shape.
 */
export type RecipeFailureReason = RedisFailureKind | 'data';

/** Sends one raw command of a step; `key` is its first key (it routes the command on a Cluster). */
export type SendCommand = (args: string[], key: string | undefined) => Promise<unknown>;

/** Outcome of {@link RecipeRedis.step}. */
export type StepResult<T> =
  | { ok: true; value: T }
  | {
      ok: false;
      reason: RecipeFailureReason;
      error: unknown;
      /**
       * True when a command of the step was handed to the client and its fate is unknown: it
       * may have been written to the socket before the deadline, and a frozen or slow server
       * may still apply it. False when nothing was sent (circuit open, not ready, cancelled
       * before being written) or Redis answered with an error reply.
       */
      maybeApplied: boolean;
    };

/** Errors proving a command was never written (node-redis cancels queued commands on abort). */
const NOT_SENT = new Set(['AbortError', 'ClientClosedError', 'ClientOfflineError']);
/** Error replies: Redis answered, so it did not apply the command. */
const REPLIES = new Set(['ErrorReply', 'SimpleError', 'BlobError', 'ReplyError']);

/**
 * ioredis' rejection of a command it did not write (socket gone, no offline queue): a plain
 * Error, known by its message.
 */
const IOREDIS_NOT_WRITTEN = /^(Stream isn't writeable|Command cannot be queued)/;

function provesNotApplied(error: unknown): boolean {
  if (error instanceof Error && IOREDIS_NOT_WRITTEN.test(error.message)) return true;
  let proto: unknown = typeof error === 'object' && error !== null ? error : null;
  for (let i = 0; i < 8 && proto !== null && proto !== Error.prototype; i++) {
    const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name === 'string' && (NOT_SENT.has(name) || REPLIES.has(name))) return true;
    proto = Object.getPrototypeOf(proto);
  }
  return false;
}

/** A command not handed to the client because its call's signal had already fired. */
class AbortError extends Error {
  override name = 'AbortError';
}

/**
 * The one raw-command seam over both single-server clients: node-redis' `sendCommand(args,
 * { abortSignal })` (which also cancels a queued, unsent command), or ioredis' `call(...args)`.
 * ioredis cannot take a signal, so it is honoured here: a command whose call has already been
 * abandoned (deadline, breaker) is never sent, and rejects with `AbortError` (proof that
 * nothing was applied).
 */
export function sendSingle(
  client: SingleServerCommandClient | IoredisCommandClient,
  args: string[],
  signal: AbortSignal,
): Promise<unknown> {
  if (typeof (client as Partial<IoredisCommandClient>).call !== 'function') {
    return (client as SingleServerCommandClient).sendCommand(args, { abortSignal: signal });
  }
  if (signal.aborted) return Promise.reject(new AbortError('The call was abandoned'));
  const [command, ...rest] = args;
  return (client as IoredisCommandClient).call(command!, ...rest);
}

/** ioredis' Cluster routes `call()` by the command's keys; node-redis' takes the first key. */
function isIoredisCluster(
  client: ClusterCommandClient | IoredisClusterCommandClient,
): client is IoredisClusterCommandClient {
  return typeof (client as Partial<IoredisClusterCommandClient>).call === 'function';
}

/** Tracks the commands of one step. */
class SendTracker {
  inFlight = 0;
  lostInFlight = false;
  sent = false;

  track(p: Promise<unknown>): Promise<unknown> {
    this.sent = true;
    this.inFlight += 1;
    p.then(
      () => {
        this.inFlight -= 1;
      },
      (error: unknown) => {
        this.inFlight -= 1;
        if (!provesNotApplied(error)) this.lostInFlight = true;
      },
    );
    return p;
  }

  get maybeApplied(): boolean {
    return this.inFlight > 0 || this.lostInFlight;
  }
}

/** The recipes' view of an adapter of any topology. */
export class RecipeRedis {
  constructor(readonly adapter: RecipeAdapter) {}

  get connectionState(): RecipeAdapter['connectionState'] {
    return this.adapter.connectionState;
  }

  get isCluster(): boolean {
    return this.adapter.topology === 'cluster';
  }

  /**
   * Runs `op` once through `executeRedisOperation` and never rejects: unavailability (the
   * adapter's fallback, including `not-ready` after its reconnect grace) and data errors (the
   * adapter reports them) become `{ ok: false }`. `key` is the step's key: on a Cluster it picks
   * the shard's breaker. `op` is never retried (a retried increment could count twice).
   */
  async step<T>(
    name: string,
    key: string | undefined,
    op: (send: SendCommand) => Promise<T>,
    timeout: number | undefined,
  ): Promise<StepResult<T>> {
    const tracker = new SendTracker();
    const fail = (reason: RecipeFailureReason, error: unknown) =>
      ({ ok: false, reason, error, maybeApplied: false }) as const;
    let result: StepResult<T>;
    try {
      result = await this.execute(name, key, tracker, op, fail, timeout);
    } catch (error) {
      result = fail('data', error);
    }
    if (result.ok || !tracker.sent) return result;
    // A command cancelled at the deadline rejects with AbortError a few ticks later: let it.
    if (tracker.inFlight > 0) await new Promise((resolve) => setImmediate(resolve));
    return { ...result, maybeApplied: result.reason !== 'data' && tracker.maybeApplied };
  }

  /**
   * Deletes `keys` (full Redis keys) in one step: one UNLINK on a single server or Sentinel,
   * one UNLINK per key on a Cluster (keys of a batch live in different slots).
   */
  unlink(name: string, keys: string[], timeout: number | undefined): Promise<StepResult<number>> {
    return this.step(
      name,
      undefined,
      async (send) => {
        if (!this.isCluster) return Number(await send(['UNLINK', ...keys], keys[0]));
        const counts = await Promise.all(keys.map((k) => send(['UNLINK', k], k)));
        return counts.reduce<number>((sum, n) => sum + Number(n), 0);
      },
      timeout,
    );
  }

  /**
   * How many nodes a SCAN must visit: every master of a Cluster (as listed now), else 1.
   * Returns the node handles to pass to {@link scanStep}.
   */
  scanNodes(): ReadonlyArray<object | undefined> {
    const a = this.adapter;
    if (a.topology !== 'cluster') return [undefined];
    return isIoredisCluster(a.client) ? a.client.nodes('master') : a.client.masters;
  }

  /** One `SCAN <cursor> MATCH <match> COUNT <count>` page on `node` (from {@link scanNodes}). */
  scanStep(
    name: string,
    node: object | undefined,
    args: string[],
    timeout: number | undefined,
  ): Promise<StepResult<unknown>> {
    if (node === undefined)
      return this.step(name, undefined, (send) => send(args, undefined), timeout);
    const tracker = new SendTracker();
    return this.adapter
      .executeRedisOperation(
        async (client, signal) => {
          // ioredis lists its node connections themselves; node-redis hands out node handles.
          if (isIoredisCluster(client as ClusterCommandClient | IoredisClusterCommandClient)) {
            const value = await tracker.track(
              sendSingle(node as IoredisCommandClient, args, signal),
            );
            return { ok: true as const, value };
          }
          const c = client as { nodeClient(n: object): Promise<SingleServerCommandClient> };
          const nodeClient = await c.nodeClient(node);
          return {
            ok: true as const,
            value: await tracker.track(nodeClient.sendCommand(args, { abortSignal: signal })),
          };
        },
        (kind, error) => ({ ok: false as const, reason: kind, error, maybeApplied: false }),
        name,
        timeout === undefined ? undefined : { timeout },
      )
      .catch((error: unknown) => ({ ok: false, reason: 'data', error, maybeApplied: false }));
  }

  private execute<T>(
    name: string,
    key: string | undefined,
    tracker: SendTracker,
    op: (send: SendCommand) => Promise<T>,
    fail: (reason: RecipeFailureReason, error: unknown) => StepResult<T>,
    timeout: number | undefined,
  ): Promise<StepResult<T>> {
    const a = this.adapter;
    const ok = (value: T): StepResult<T> => ({ ok: true, value });
    switch (a.topology) {
      case 'cluster':
        return a.executeRedisOperation(
          async (client, signal) =>
            ok(
              await op((args, k) =>
                tracker.track(
                  isIoredisCluster(client)
                    ? sendSingle(client, args, signal)
                    : client.sendCommand(k, false, args, { abortSignal: signal }),
                ),
              ),
            ),
          fail,
          name,
          timeout === undefined ? { key } : { timeout, key },
        );
      case 'sentinel':
        return a.executeRedisOperation(
          async (client, signal) =>
            ok(
              await op((args) =>
                tracker.track(client.sendCommand(false, args, { abortSignal: signal })),
              ),
            ),
          fail,
          name,
          timeout === undefined ? undefined : { timeout },
        );
      default:
        return a.executeRedisOperation(
          async (client, signal) =>
            ok(await op((args) => tracker.track(sendSingle(client, args, signal)))),
          fail,
          name,
          timeout === undefined ? undefined : { timeout },
        );
    }
  }
}
