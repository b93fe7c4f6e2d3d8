/**
 * A stand-in for a connected node-redis client whose GET resolves at once: what the benches use
 * to measure the CPU a layer adds per call, with no I/O. Only what `wrapRedisClient` touches.
 */
export interface InstantClient {
  readonly isOpen: true;
  readonly isReady: true;
  connect(): Promise<void>;
  destroy(): void;
  close(): Promise<void>;
  on(): InstantClient;
  off(): InstantClient;
  get(key: string): Promise<unknown>;
}

export function instantClient(): InstantClient {
  const client: InstantClient = {
    isOpen: true,
    isReady: true,
    connect: async () => undefined,
    destroy: () => undefined,
    close: async () => undefined,
    on: () => client,
    off: () => client,
    get: () => Promise.resolve('v'),
  };
  return client;
}
