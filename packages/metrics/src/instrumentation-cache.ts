/**
 * Bookkeeping of live instrumentations. Instrumenting the same object into the same registry
 * with the same prefix again shares the first instrumentation (no double counting) and returns
 * a new, independent dispose; listeners and series go away when every dispose has been called.
 * Two different objects with the same name in one registry (and prefix) are refused, because
 * their series would collide.
 */
import type { Registry, RegistryContentType } from 'prom-client';
import { DuplicateInstrumentNameError, type InstrumentKind } from './errors.js';
import type { DisposeInstrumentation } from './types.js';

type AnyRegistry = Registry<RegistryContentType>;
type Kind = InstrumentKind;

interface Entry {
  refs: number;
  readonly teardown: () => void;
  readonly nameKey: string;
}

/** target → registry → prefix → entry */
const live = new WeakMap<object, Map<AnyRegistry, Map<string, Entry>>>();
/** registry → `${kind}\0${prefix}\0${name}` → target */
const owners = new WeakMap<AnyRegistry, Map<string, object>>();

/**
 * Runs `setup` unless `target` is already instrumented into `registry` with `prefix`, and
 * returns a dispose for this call. `setup` returns the teardown; if it throws, nothing is kept.
 */
export function acquireInstrumentation(
  kind: Kind,
  target: object,
  name: string,
  registry: AnyRegistry,
  prefix: string,
  setup: () => () => void,
): DisposeInstrumentation {
  let byRegistry = live.get(target);
  let entry = byRegistry?.get(registry)?.get(prefix);
  if (entry === undefined) {
    const nameKey = `${kind}\0${prefix}\0${name}`;
    let registryOwners = owners.get(registry);
    const owner = registryOwners?.get(nameKey);
    if (owner !== undefined && owner !== target) throw new DuplicateInstrumentNameError(kind, name);
    const teardown = setup();
    entry = { refs: 0, teardown, nameKey };
    if (byRegistry === undefined) {
      byRegistry = new Map();
      live.set(target, byRegistry);
    }
    let byPrefix = byRegistry.get(registry);
    if (byPrefix === undefined) {
      byPrefix = new Map();
      byRegistry.set(registry, byPrefix);
    }
    byPrefix.set(prefix, entry);
    if (registryOwners === undefined) {
      registryOwners = new Map();
      owners.set(registry, registryOwners);
    }
    registryOwners.set(nameKey, target);
  }
  entry.refs += 1;
  const held = entry;
  let disposed = false;
  return () => {
    if (disposed) return;
    disposed = true;
    held.refs -= 1;
    if (held.refs > 0) return;
    live.get(target)?.get(registry)?.delete(prefix);
    owners.get(registry)?.delete(held.nameKey);
    held.teardown();
  };
}
