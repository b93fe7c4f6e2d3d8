/** Injection tokens of `@breakwater/nestjs`. */

/** Token of the breakwater Redis adapter: `@Inject(BREAKWATER_ADAPTER) adapter: RedisAdapter`. */
export const BREAKWATER_ADAPTER = Symbol.for('@breakwater/nestjs:adapter');
