/**
 * What an adapter shows when it is printed (`console.log`, `util.inspect`) or serialised by a
 * logger (`JSON.stringify`, pino's `{ redis }`): its name, topology and connection state, never
 * its resolved options, client or redaction list, which hold the password.
 */
import { inspect, type InspectOptions } from 'node:util';
import type { RedisConnectionState } from './types.js';

/** The printable view of an adapter. */
export interface AdapterSummary {
  readonly name: string;
  readonly topology: 'single' | 'cluster' | 'sentinel';
  readonly connectionState: RedisConnectionState;
}

/** The fields of `adapter` that are safe to print. */
export function adapterSummary(adapter: AdapterSummary): AdapterSummary {
  return {
    name: adapter.name,
    topology: adapter.topology,
    connectionState: adapter.connectionState,
  };
}

/** `util.inspect.custom` of an adapter: `RedisAdapter { name: …, topology: …, … }`. */
export function inspectAdapter(
  adapter: AdapterSummary,
  className: string,
  options: InspectOptions,
  inspectFn: InspectFn = inspect,
): string {
  return `${className} ${inspectFn(adapterSummary(adapter), options)}`;
}

/** `util.inspect.custom`. */
export const inspectSymbol: typeof inspect.custom = inspect.custom;

/** The third argument Node passes to `util.inspect.custom`. */
export type InspectFn = typeof inspect;
export type { InspectOptions };
