/**
 * BreakwaterModule: a dynamic module providing the breakwater Redis adapter
 * (`BREAKWATER_ADAPTER`) and a terminus health indicator, and closing the adapter when the
 * module is destroyed (`app.close()`, `enableShutdownHooks()` on SIGTERM). No decorators: the
 * providers are factories, so the package compiles without experimentalDecorators.
 */
import type {
  DynamicModule,
  FactoryProvider,
  InjectionToken,
  ModuleMetadata,
} from '@nestjs/common';
import { managedAdapterFrom } from '@breakwater/recipes';
import type { AdapterOrRedisOptions, ManagedRedisAdapter } from '@breakwater/recipes';
import { BreakwaterHealthIndicator } from './breakwater-health-indicator.js';
import { BREAKWATER_ADAPTER } from './tokens.js';

/** Any breakwater adapter the module can hold (`ManagedRedisAdapter` of the recipes). */
export type BreakwaterNestAdapter = ManagedRedisAdapter;

/** Options of {@link BreakwaterModule.forRoot}. Give `adapter` or `redis`, not both. */
export interface BreakwaterModuleOptions extends AdapterOrRedisOptions {
  /**
   * Close the adapter when the module is destroyed (also an adapter you passed).
   * @default true
   */
  closeOnDestroy?: boolean;
  /**
   * Register the module globally (inject `BREAKWATER_ADAPTER` anywhere).
   * @default true
   */
  global?: boolean;
}

/** Options of {@link BreakwaterModule.forRootAsync}. */
export interface BreakwaterModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  /** Builds the options (e.g. from ConfigService). `global` is read from here, not from it. */
  useFactory: (
    ...args: never[]
  ) => Omit<BreakwaterModuleOptions, 'global'> | Promise<Omit<BreakwaterModuleOptions, 'global'>>;
  /** Providers passed to `useFactory`. @default [] */
  inject?: InjectionToken[];
  /** @default true */
  global?: boolean;
}

/** Defaults of {@link BreakwaterModuleOptions}. */
export const DEFAULT_MODULE_OPTIONS = { closeOnDestroy: true, global: true } as const;

const WHERE = 'BreakwaterModule';
const KEYS = new Set(['adapter', 'redis', 'closeOnDestroy', 'global']);
const OPTIONS = Symbol('@breakwater/nestjs:options');

/** Closes the adapter on module destroy (a provider instance; Nest calls its hook). */
export class BreakwaterLifecycle {
  constructor(
    readonly adapter: BreakwaterNestAdapter,
    private readonly closeOnDestroy: boolean,
  ) {}

  async onModuleDestroy(): Promise<void> {
    if (this.closeOnDestroy) await this.adapter.close();
  }
}

/** Validates options once, naming the bad option. */
export function resolveModuleOptions(options: BreakwaterModuleOptions): BreakwaterModuleOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${WHERE}: options must be an object`);
  }
  for (const key of Object.keys(options)) {
    if (!KEYS.has(key)) throw new TypeError(`${WHERE}: unknown option ${JSON.stringify(key)}`);
  }
  managedAdapterFrom(WHERE, options);
  for (const key of ['closeOnDestroy', 'global'] as const) {
    const v = options[key];
    if (v !== undefined && typeof v !== 'boolean') {
      throw new TypeError(`${WHERE}: ${key} must be a boolean, got ${JSON.stringify(v)}`);
    }
  }
  return options;
}

function adapterFrom(options: BreakwaterModuleOptions): Promise<BreakwaterNestAdapter> {
  return managedAdapterFrom(WHERE, resolveModuleOptions(options))();
}

function providers(): FactoryProvider[] {
  return [
    {
      provide: BreakwaterLifecycle,
      useFactory: async (o: BreakwaterModuleOptions) =>
        new BreakwaterLifecycle(
          await adapterFrom(o),
          o.closeOnDestroy ?? DEFAULT_MODULE_OPTIONS.closeOnDestroy,
        ),
      inject: [OPTIONS],
    },
    {
      provide: BREAKWATER_ADAPTER,
      useFactory: (l: BreakwaterLifecycle) => l.adapter,
      inject: [BreakwaterLifecycle],
    },
    {
      provide: BreakwaterHealthIndicator,
      useFactory: (a: BreakwaterNestAdapter) => new BreakwaterHealthIndicator(a),
      inject: [BREAKWATER_ADAPTER],
    },
  ];
}

const EXPORTS = [BREAKWATER_ADAPTER, BreakwaterHealthIndicator];

export class BreakwaterModule {
  /** `imports: [BreakwaterModule.forRoot({ redis: { url } })]`. */
  static forRoot(options: BreakwaterModuleOptions): DynamicModule {
    resolveModuleOptions(options);
    return {
      module: BreakwaterModule,
      global: options.global ?? DEFAULT_MODULE_OPTIONS.global,
      providers: [{ provide: OPTIONS, useValue: options }, ...providers()],
      exports: EXPORTS,
    };
  }

  /** `BreakwaterModule.forRootAsync({ imports, inject: [ConfigService], useFactory })`. */
  static forRootAsync(options: BreakwaterModuleAsyncOptions): DynamicModule {
    if (typeof options?.useFactory !== 'function') {
      throw new TypeError(`${WHERE}.forRootAsync: useFactory must be a function`);
    }
    return {
      module: BreakwaterModule,
      global: options.global ?? DEFAULT_MODULE_OPTIONS.global,
      imports: options.imports ?? [],
      providers: [
        { provide: OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        ...providers(),
      ],
      exports: EXPORTS,
    };
  }
}
