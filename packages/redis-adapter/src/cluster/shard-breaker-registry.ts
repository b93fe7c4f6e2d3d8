/**
 * One circuit breaker per cluster shard, keyed by the shard master's address (`host:port`).
 *
 * Why per shard and keyed by master address:
 * - A dead shard fails every call routed to it while the other shards answer normally. With a
 *   single cluster-wide breaker those failures either open the circuit for the healthy shards
 *   too (failure rate above the threshold) or are diluted below it so the dead shard is never
 *   short-circuited; per-shard breakers isolate the damage to the keys of that shard.
 * - After a failover the promoted replica has a NEW address, so it starts with a fresh, closed
 *   breaker: calls succeed as soon as node-redis has refreshed the topology, instead of waiting
 *   for the old shard's open period (`resetTimeout`) to expire, as a breaker keyed by slot range
 *   would. The dead master's breaker is dropped by {@link ShardBreakerRegistry.retain}, so the
 *   registry stays bounded by the number of masters.
 */
import { CircuitBreaker } from '@breakwater/breaker';
import type { CircuitBreakerOptions } from '@breakwater/breaker';

/** Called once for each breaker the registry creates (e.g. to forward its events). */
export type ShardBreakerListener = (address: string, breaker: CircuitBreaker) => void;

/** Lazily creates and owns the per-shard breakers of one cluster adapter. */
export class ShardBreakerRegistry {
  private readonly breakers = new Map<string, CircuitBreaker>();

  /**
   * @param baseName prefix of every breaker name (`<baseName>@<host:port>`)
   * @param options options of every shard breaker (validated by the first `new CircuitBreaker`)
   * @param onCreate called for every new breaker
   */
  constructor(
    private readonly baseName: string,
    private readonly options: CircuitBreakerOptions,
    private readonly onCreate?: ShardBreakerListener,
  ) {}

  /** The breaker of the shard whose master is `address`, created on first use. */
  get(address: string): CircuitBreaker {
    let breaker = this.breakers.get(address);
    if (breaker === undefined) {
      breaker = new CircuitBreaker(`${this.baseName}@${address}`, this.options);
      this.breakers.set(address, breaker);
      this.onCreate?.(address, breaker);
    }
    return breaker;
  }

  /** The breaker of `address` if one exists (never creates one). */
  peek(address: string): CircuitBreaker | undefined {
    return this.breakers.get(address);
  }

  /**
   * Drops the breakers of shards whose master is no longer in `masters` (after a failover or a
   * resharding). Returns the dropped addresses.
   */
  retain(masters: Iterable<string>): string[] {
    const keep = new Set(masters);
    const dropped: string[] = [];
    for (const address of this.breakers.keys()) {
      if (!keep.has(address)) {
        this.breakers.delete(address);
        dropped.push(address);
      }
    }
    return dropped;
  }

  /** Current breakers by master address. */
  entries(): IterableIterator<[string, CircuitBreaker]> {
    return this.breakers.entries();
  }

  /** Number of breakers currently held. */
  get size(): number {
    return this.breakers.size;
  }
}
