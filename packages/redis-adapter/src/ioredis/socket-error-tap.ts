/**
 * Sees the socket errors of every connection an ioredis Cluster opens, including the ones it
 * hides. ioredis discovers the topology over a throw-away duplicate of a seed connection whose
 * 'error' events it discards: a seed that fails the TLS handshake (untrusted CA, wrong server
 * name) shows only as "Connection is closed." / ClusterAllFailedError, so the adapter would keep
 * retrying an error that retrying cannot fix. The tap is an ioredis `Connector` (inherited by
 * every node connection and duplicate, through `redisOptions`) that opens the socket exactly as
 * ioredis' own StandaloneConnector does and passes each socket's first error to a listener.
 */
import type { RedisOptions, StandaloneConnectionOptions } from 'ioredis';
// ioredis' own connector, not re-exported by its root (no "exports" map: the path is public).
import { StandaloneConnector } from 'ioredis/built/connectors/index.js';

type Connector = NonNullable<RedisOptions['Connector']>;
type ConnectArgs = Parameters<StandaloneConnector['connect']>;
type Stream = Awaited<ReturnType<StandaloneConnector['connect']>>;

/** One adapter's tap: set `Connector` in the client options, then `listen()`. */
export class SocketErrorTap {
  private listener: ((error: Error) => void) | undefined = undefined;
  /** The connector class to pass as ioredis' `Connector` option. */
  readonly Connector: Connector;

  constructor() {
    const notify = (error: Error): void => this.listener?.(error);
    this.Connector = class TappedConnector extends StandaloneConnector {
      constructor(options: unknown) {
        // ioredis constructs it with the node's own options, as its StandaloneConnector
        super(options as StandaloneConnectionOptions);
      }

      override connect(...args: ConnectArgs): Promise<Stream> {
        return super.connect(...args).then((stream) => {
          stream.once('error', notify);
          return stream;
        });
      }
    };
  }

  /** Calls `listener` with the first error of every socket opened from now on. */
  listen(listener: (error: Error) => void): void {
    this.listener = listener;
  }
}
