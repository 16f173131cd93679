/**
 * Keeps one user's requests under KalamDB's per-user query rate (rate_limit.max_queries_per_sec,
 * 100 by default, loopback not exempt): request starts are spaced at least 1/rate apart,
 * shared by every loop that sends as that user. Time spent waiting is counted, so a figure
 * that the limit shaped says so instead of passing for the server's speed.
 */
import { nowMs, sleep } from '../workload/clock'

/**
 * Share of the server's per-user rate a pacer uses: KalamDB's bucket refills continuously,
 * so a little under the limit never sees a 429, even with a stats or job poll in between.
 */
export const PACE_SHARE = 0.8

export class Pacer {
  private next = 0
  /** Total ms callers spent waiting for a slot. */
  waitedMs = 0
  /** Slots handed out. */
  granted = 0
  readonly intervalMs: number

  constructor(readonly ratePerSec: number) {
    this.intervalMs = ratePerSec > 0 && Number.isFinite(ratePerSec) ? 1000 / ratePerSec : 0
  }

  /** Waits for the next free slot (resolves at once on abort). */
  async slot(signal?: AbortSignal): Promise<void> {
    const now = nowMs()
    const at = Math.max(now, this.next)
    this.next = at + this.intervalMs
    this.granted++
    if (at > now) {
      this.waitedMs += at - now
      await sleep(at - now, signal)
    }
  }

  /** Forget the schedule (between benchmarks, so one's backlog does not delay the next). */
  reset(): void {
    this.next = 0
    this.waitedMs = 0
    this.granted = 0
  }
}

/** A pacer for a server whose per-user rate is `maxQueriesPerSec` (null: KalamDB's 100). */
export function pacerFor(maxQueriesPerSec: number | null): Pacer {
  return new Pacer(Math.max(1, Math.floor((maxQueriesPerSec ?? 100) * PACE_SHARE)))
}
