/**
 * Token buckets per client (a service token's name, a link caller's address): each holds `burst` tokens and
 * gains `perSecond` a second; a request takes one or is told when the next one comes. Buckets are forgotten
 * least recently used first beyond `maxClients`, so a flood of addresses costs bounded memory (a forgotten
 * client starts full again, which only errs towards letting people in).
 */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

export interface RateLimiter {
  /** 0 when the request may go ahead (a token is taken), else the seconds until a token is back. */
  take(client: string): number;
}

const DEFAULT_MAX_CLIENTS = 100_000;

export function rateLimiter(
  limit: RateLimit,
  nowMs: () => number,
  maxClients = DEFAULT_MAX_CLIENTS,
): RateLimiter {
  if (!(limit.perSecond > 0 && limit.burst >= 1))
    throw new Error('a rate limit needs perSecond > 0, burst ≥ 1');
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(client) {
      const now = nowMs();
      const bucket = buckets.get(client) ?? { tokens: limit.burst, at: now };
      buckets.delete(client);
      bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * limit.perSecond);
      bucket.at = now;
      let wait = 0;
      if (bucket.tokens >= 1) bucket.tokens -= 1;
      else wait = Math.max(1, Math.ceil((1 - bucket.tokens) / limit.perSecond));
      buckets.set(client, bucket);
      if (buckets.size > maxClients) {
        const oldest = buckets.keys().next();
        if (!oldest.done) buckets.delete(oldest.value);
      }
      return wait;
    },
  };
}
