// The public API of InMemoryCache; validate.ts is internal.
export { CacheEngine } from './engine';
export { InMemoryCache } from './in-memory-cache';
export type { InMemoryCacheEndpoint, InMemoryCacheProps } from './in-memory-cache';
