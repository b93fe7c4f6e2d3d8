/**
 * Plain-integer outcome counts per operation name, fed by a Redis adapter's operation observer
 * (or its 'operation' event) and read when metrics are collected. Counting a call is a map
 * lookup and an increment: no label hashing, no allocation once the operation name is known.
 */
import createDebug from 'debug';
import { FALLBACK_REASONS, OPERATION_RESULTS, OTHER_OPERATION } from './metric-names.js';
import type { RedisFallbackReason, RedisOperationResultName } from './types.js';

const debug = createDebug('breakwater:metrics');

/** Counts of one operation name. */
export interface OperationCounts {
  readonly operation: string;
  readonly results: Record<RedisOperationResultName, number>;
  /** Fallbacks by reason (their sum is `results.fallback`). */
  readonly reasons: Record<RedisFallbackReason, number>;
}

const zeros = <K extends string>(keys: readonly K[]): Record<K, number> =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/** The tallies of one adapter. */
export class OperationTally {
  /** Operation name → counts, in first-seen order; at most `maxOperations` + `other`. */
  readonly operations = new Map<string, OperationCounts>();
  private capLogged = false;
  /** The last name looked up and its counts: most calls repeat it, so no map lookup. */
  private lastName: unknown = undefined;
  private lastCounts: OperationCounts | undefined = undefined;

  constructor(
    private readonly client: string,
    private readonly maxOperations: number,
    /** Called when an operation name is first seen (to create its series at 0). */
    private readonly onNewOperation: (counts: OperationCounts) => void = () => undefined,
  ) {}

  /** The counts of `operation` (or of `other` past `maxOperations`). */
  countsOf(operation: unknown): OperationCounts {
    if (operation === this.lastName && this.lastCounts !== undefined) return this.lastCounts;
    const counts = this.lookUp(operation);
    this.lastName = operation;
    this.lastCounts = counts;
    return counts;
  }

  private lookUp(operation: unknown): OperationCounts {
    const op = typeof operation === 'string' && operation !== '' ? operation : OTHER_OPERATION;
    const known = this.operations.get(op);
    if (known !== undefined) return known;
    if (this.operations.size < this.maxOperations || op === OTHER_OPERATION) return this.create(op);
    if (!this.capLogged) {
      this.capLogged = true;
      debug(
        '%s: more than %d distinct operation names; new ones are counted as operation="%s"',
        this.client,
        this.maxOperations,
        OTHER_OPERATION,
      );
    }
    return this.operations.get(OTHER_OPERATION) ?? this.create(OTHER_OPERATION);
  }

  /**
   * Counts `n` outcomes (one by default); unknown results are ignored, unknown reasons count as
   * `unknown`. `n` = 0 only makes sure the operation's series exist.
   */
  count(
    operation: string,
    result: string,
    reason: string | undefined,
    n = 1,
  ): OperationCounts | null {
    const counts = this.countsOf(operation);
    if (result === 'success') counts.results.success += n;
    else if (result === 'fallback') {
      counts.results.fallback += n;
      const r = (reason ?? 'unknown') as RedisFallbackReason;
      if (r in counts.reasons) counts.reasons[r] += n;
      else counts.reasons.unknown += n;
    } else if (result === 'error') counts.results.error += n;
    else return null;
    return counts;
  }

  private create(operation: string): OperationCounts {
    const counts: OperationCounts = {
      operation,
      results: zeros(OPERATION_RESULTS),
      reasons: zeros(FALLBACK_REASONS),
    };
    this.operations.set(operation, counts);
    this.onNewOperation(counts);
    return counts;
  }
}
