/** The cached read: `GET /products/:id` through the recipe cache (an outage is a miss). */
import { Controller, Get, Inject, Injectable, Param } from '@nestjs/common';
import type { OnModuleDestroy } from '@nestjs/common';
import { BREAKWATER_ADAPTER } from '@breakwater/nestjs';
import type { BreakwaterNestAdapter } from '@breakwater/nestjs';
import { createCache } from '@breakwater/recipes';
import type { Cache } from '@breakwater/recipes';
import { loadProduct } from '../service/product-db.js';
import type { Product } from '../service/product-db.js';

@Injectable()
export class ProductCatalog implements OnModuleDestroy {
  private readonly cache: Cache;

  constructor(@Inject(BREAKWATER_ADAPTER) adapter: BreakwaterNestAdapter) {
    this.cache = createCache(adapter, { prefix: 'example:nest:cache:', defaultTtlMs: 60_000 });
  }

  /** From Redis when it answers in time, else from the database (wrap() never throws for Redis). */
  find(id: string): Promise<Product> {
    return this.cache.wrap<Product>(`product:${id}`, 30_000, () => loadProduct(id));
  }

  onModuleDestroy(): void {
    this.cache.dispose();
  }
}

@Controller('products')
export class ProductsController {
  // The parameter's type is the injection token: emitDecoratorMetadata records it.
  constructor(private readonly catalog: ProductCatalog) {}

  @Get(':id')
  async product(@Param('id') id: string): Promise<{ product: Product }> {
    return { product: await this.catalog.find(id.slice(0, 32)) };
  }
}
