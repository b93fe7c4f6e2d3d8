/**
 * Reports and counts every time a recipe could not use Redis (or found a corrupt value) and
 * answered from its outage contract instead. Keys and values are never reported or logged.
 */
import createDebug from 'debug';
import type { RecipeFailureReason } from './recipe-client.js';
import { RecipeEmitter } from './recipe-emitter.js';
import type { Unsubscribe } from './recipe-emitter.js';

const log = createDebug('breakwater:recipes:fallback');

/** Which recipe reported. */
export type RecipeKind = 'cache' | 'rate-limiter' | 'session-store' | 'token-store';

/** Why a recipe degraded: Redis could not be used, or a stored value was not valid JSON. */
export type DegradationReason = RecipeFailureReason | 'corrupt';

/** The `degraded` event: one per operation that answered from its outage contract. */
export interface DegradedEvent {
  recipe: RecipeKind;
  /** The cache prefix, limiter name or store prefix given at construction. */
  name: string;
  /** The public operation, e.g. `get`, `wrap`, `consume`, `touch`. */
  operation: string;
  reason: DegradationReason;
  /** What the caller got instead, e.g. `miss`, `skip`, `loader`, `allow`, `deny`, `memory`, `unavailable`. */
  outcome: string;
}

/** Counters of degraded operations since the recipe was created. */
export interface DegradationStats {
  /** All degraded operations. */
  degraded: number;
  /** By reason. */
  degradedByReason: Partial<Record<DegradationReason, number>>;
  /** By public operation. */
  degradedByOperation: Record<string, number>;
}

/** Counts, emits and logs (once per healthy→degraded transition) degraded operations. */
export class DegradationReporter {
  private degradedCount = 0;
  private readonly byReason: Partial<Record<DegradationReason, number>> = {};
  private readonly byOperation: Record<string, number> = {};
  private inOutage = false;
  readonly emitter = new RecipeEmitter<{ degraded: DegradedEvent }>();

  constructor(
    private readonly recipe: RecipeKind,
    private readonly name: string,
  ) {}

  report(operation: string, reason: DegradationReason, outcome: string): void {
    this.degradedCount += 1;
    this.byReason[reason] = (this.byReason[reason] ?? 0) + 1;
    this.byOperation[operation] = (this.byOperation[operation] ?? 0) + 1;
    if (reason !== 'corrupt' && reason !== 'data' && !this.inOutage) {
      this.inOutage = true;
      log('%s %s: Redis unavailable (%s), answering %s', this.recipe, this.name, reason, outcome);
    } else if (reason === 'corrupt' || reason === 'data') {
      log('%s %s: %s on %s, answering %s', this.recipe, this.name, reason, operation, outcome);
    }
    this.emitter.emit('degraded', {
      recipe: this.recipe,
      name: this.name,
      operation,
      reason,
      outcome,
    });
  }

  /** Call after an operation reached Redis; logs the recovery once. */
  reachedRedis(): void {
    if (this.inOutage) {
      this.inOutage = false;
      log('%s %s: Redis reachable again', this.recipe, this.name);
    }
  }

  stats(): DegradationStats {
    return {
      degraded: this.degradedCount,
      degradedByReason: { ...this.byReason },
      degradedByOperation: { ...this.byOperation },
    };
  }

  onDegraded(listener: (event: DegradedEvent) => void): Unsubscribe {
    return this.emitter.on('degraded', listener);
  }
}
