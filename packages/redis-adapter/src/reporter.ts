/**
 * The one error reporter. Every Redis failure (operation failures, data errors, connection
 * errors) goes through {@link ErrorReportGate.report}: one message format, redaction, rate
 * limiting per operation, and a reporter that may throw without consequences.
 */
import createDebug from 'debug';
import { invokeUserCallback, type Clock } from '@breakwater/breaker';
import { errorMessage, redactError } from './redact.js';
import type { RedisErrorReport, RedisFallbackReason } from './types.js';

const debug = createDebug('breakwater:redis');

/** Receives every (rate-limited, redacted) Redis error report. May throw: it is swallowed. */
export type RedisErrorReporter = (report: RedisErrorReport) => void;

/** `[operation] Redis error: <kind>: <message>` */
export function formatRedisErrorMessage(
  operation: string,
  kind: RedisFallbackReason | 'data',
  message: string,
): string {
  return `[${safeOperationName(operation)}] Redis error: ${kind}: ${oneLine(message)}`;
}

/** Line breaks and other control characters, which could forge a second log line. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const escapeControl = (c: string): string => {
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
};
/** Longest operation name shown in a report line; longer names are cut with `…`. */
const MAX_OPERATION_NAME = 200;

/**
 * An operation name as shown in a report line: control characters escaped (`\n` stays visible
 * as the two characters `\` `n`, so a name cannot start a forged second line), at most 200
 * characters, and `String(name)` of a non-string.
 */
export function safeOperationName(operation: unknown): string {
  let s = typeof operation === 'string' ? operation : String(operation);
  if (s.length > MAX_OPERATION_NAME) s = `${s.slice(0, MAX_OPERATION_NAME)}…`;
  return s.replace(CONTROL, escapeControl);
}

/** An error message on one line (the same escaping). */
function oneLine(message: string): string {
  return message.replace(CONTROL, escapeControl);
}

/**
 * The default reporter: one line through `debug` (namespace `breakwater:redis`, enable with
 * `DEBUG=breakwater:redis`), with the suppressed count when rate limiting dropped reports.
 */
export const debugRedisErrorReporter: RedisErrorReporter = (report) => {
  if (report.suppressed > 0) {
    debug('%s (%d similar reports suppressed)', report.message, report.suppressed);
  } else {
    debug('%s', report.message);
  }
};

/** Options of {@link ErrorReportGate}. */
export interface ErrorReportGateOptions {
  /** Where delivered reports go. */
  reporter: RedisErrorReporter;
  /** At most one report per operation per this many ms; 0 delivers every report. */
  interval: number;
  clock: Clock;
  /** Secrets scrubbed from every message and error. */
  secrets: readonly string[];
  /** Called after each delivered report (the adapter's `report` event). */
  onDelivered?: (report: RedisErrorReport) => void;
  /** Most operations tracked at once; the oldest is forgotten beyond it. @default 1000 */
  maxOperations?: number;
}

interface OperationState {
  last: number;
  suppressed: number;
}

/** Rate-limits, formats, redacts and delivers error reports. */
export class ErrorReportGate {
  private readonly perOperation = new Map<string, OperationState>();
  private readonly maxOperations: number;

  constructor(private readonly options: ErrorReportGateOptions) {
    this.maxOperations = options.maxOperations ?? 1000;
  }

  /**
   * Reports `error` of `operation`. Delivered at once if this operation had no delivered report
   * within the last `interval` ms; otherwise counted and summarised in the next delivered one.
   * Never throws.
   */
  report(operation: string, kind: RedisFallbackReason | 'data', error: unknown): void {
    const o = this.options;
    const now = o.clock.now();
    let st = this.perOperation.get(operation);
    if (st !== undefined && o.interval > 0 && now - st.last < o.interval) {
      st.suppressed++;
      return;
    }
    const suppressed = st?.suppressed ?? 0;
    if (st === undefined) {
      if (this.perOperation.size >= this.maxOperations) {
        const oldest = this.perOperation.keys().next().value;
        if (oldest !== undefined) this.perOperation.delete(oldest);
      }
      st = { last: now, suppressed: 0 };
      this.perOperation.set(operation, st);
    } else {
      st.last = now;
      st.suppressed = 0;
    }
    let report: RedisErrorReport;
    try {
      report = {
        operation,
        kind,
        message: formatRedisErrorMessage(operation, kind, errorMessage(error, o.secrets)),
        error: redactError(error, o.secrets),
        suppressed,
      };
    } catch {
      return; // a hostile error object (throwing getters): nothing sensible to report
    }
    // Anything the reporter throws, and a rejected promise from an async reporter (a logger
    // whose transport is down with Redis), is contained: the call's outcome never changes.
    invokeUserCallback('reporter', o.reporter, report);
    if (o.onDelivered !== undefined) invokeUserCallback('report', o.onDelivered, report);
  }
}
