/**
 * The engine of an InMemoryCache.
 */
export enum CacheEngine {
  /** Valkey, the open-source fork of Redis OSS that AWS maintains: the same protocol, about 20% cheaper on ElastiCache. */
  VALKEY = 'VALKEY',
  /** Redis OSS 7. */
  REDIS_OSS = 'REDIS_OSS',
}
