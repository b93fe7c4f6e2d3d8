/**
 * The breaker alone, around a dependency that is not Redis: an HTTP pricing API called with
 * fetch. Each call gets a 300 ms deadline (its AbortSignal cancels the fetch); while the API
 * fails or hangs, /quote answers at once with the last good price, marked stale.
 */
import { CircuitBreaker } from '@breakwater/breaker';
import { instrumentBreaker, metricsHandler } from '@breakwater/metrics';
import express from 'express';
import { Registry } from 'prom-client';

export interface Quote {
  sku: string;
  price: number | null;
  /** 'upstream': fresh; 'fallback': last good price (or none) while the API is unavailable. */
  source: 'upstream' | 'fallback';
}

export interface QuoteService {
  app: express.Express;
  breaker: CircuitBreaker;
  registry: Registry;
  close(): void;
}

export function createQuoteService(upstreamUrl: string): QuoteService {
  const breaker = new CircuitBreaker('pricing-api', {
    timeout: 300,
    failureThreshold: 3,
    monitoringWindow: 10_000,
    resetTimeout: 2000,
  });
  const registry = new Registry();
  const dispose = instrumentBreaker(breaker, { registry });
  let lastGood: number | null = null;

  const fetchPrice = async (signal: AbortSignal): Promise<Quote> => {
    const res = await fetch(`${upstreamUrl}/price`, { signal });
    if (!res.ok) throw new Error(`pricing API answered ${res.status}`);
    const body = (await res.json()) as { sku: string; price: number };
    lastGood = body.price;
    return { sku: body.sku, price: body.price, source: 'upstream' };
  };

  const app = express();
  app.get('/quote', async (_req, res) => {
    const quote = await breaker.execute(fetchPrice, (): Quote => ({
      sku: 'widget',
      price: lastGood,
      source: 'fallback',
    }));
    res.json(quote);
  });
  app.get('/up', (_req, res) => {
    res.type('application/health+json').json({ status: 'pass' });
  });
  // The API is not critical (quotes degrade to the last price): an open breaker is 'warn', 200.
  app.get('/health', (_req, res) => {
    const state = breaker.state;
    res.type('application/health+json').json({
      status: state === 'closed' ? 'pass' : 'warn',
      checks: {
        'pricing-api:circuit': [
          {
            componentType: 'component',
            status: state === 'closed' ? 'pass' : 'warn',
            observedValue: state,
          },
        ],
      },
    });
  });
  app.get('/metrics', metricsHandler(registry));
  return { app, breaker, registry, close: dispose };
}
