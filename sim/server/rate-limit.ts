/**
 * Token buckets like KalamDB's limiter: `perSecond` tokens refilled continuously, bursts up
 * to one second's worth.
 */
export class TokenBucket {
  private tokens: number
  private last: number

  constructor(private readonly perSecond: number) {
    this.tokens = perSecond
    this.last = performance.now()
  }

  take(): boolean {
    const now = performance.now()
    this.tokens = Math.min(
      this.perSecond,
      this.tokens + ((now - this.last) / 1000) * this.perSecond
    )
    this.last = now
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}

/** One bucket per key (user id, peer address), created on first use. */
export class KeyedLimiter {
  private readonly buckets = new Map<string, TokenBucket>()

  constructor(private readonly perSecond: number) {}

  take(key: string): boolean {
    let b = this.buckets.get(key)
    if (!b) {
      b = new TokenBucket(this.perSecond)
      this.buckets.set(key, b)
    }
    return b.take()
  }
}
