/** The "database" behind the cache: a few milliseconds per read, never down. */

export interface Product {
  id: string;
  name: string;
  priceCents: number;
}

export async function loadProduct(id: string): Promise<Product> {
  await new Promise((resolve) => setTimeout(resolve, 3));
  const n = [...id].reduce((sum, ch) => sum + ch.charCodeAt(0), 0);
  return { id, name: `Product ${id}`, priceCents: 500 + (n % 5000) };
}
