import type { Config } from '../config.js';
import { TileCache } from './tile-cache.js';

type CacheConfig = Pick<Config, 'REDIS_URL' | 'REDIS_TIMEOUT_MS' | 'REDIS_RETRY_MS' | 'TILE_CACHE_MB'>;

/** Redis when REDIS_URL is set (shared by every instance), otherwise TILE_CACHE_MB of memory. */
export function openTileCache(config: CacheConfig): TileCache {
  return config.REDIS_URL
    ? TileCache.redis(config.REDIS_URL, { timeoutMs: config.REDIS_TIMEOUT_MS, retryMs: config.REDIS_RETRY_MS })
    : TileCache.memory(config.TILE_CACHE_MB * 2 ** 20);
}
