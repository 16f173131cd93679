/**
 * Keeps V8's own memory management out of the simulator's RSS, so that what a profiler
 * measures is the simulated server (memtable, subscriptions, faults), not the collector's
 * timing. A Rust server's RSS is flat under steady load; a Node process's is not on its own:
 *
 * - Garbage promoted to the old generation piles up until a major collection: ~10 MiB per
 *   10,000 inserts with 20 subscribers, gone at once when it runs. So while requests arrive
 *   the simulator collects fully every `intervalMs` (a 15-25 MiB heap: a few ms each, ~1% of
 *   a core), and twice more once they stop.
 * - The young generation doubles under load up to 32 MiB and shrinks when the process is
 *   quiet, and its pages churn through V8's page pool: RSS crept by 10-15 MiB over the first
 *   20 s at 1,000 inserts/s. So its size is pinned: V8 may grow it up to YOUNG_TARGET_BYTES
 *   (its growth factor is 2 below that, 1 at it). When V8 shrinks it in a quiet spell, it
 *   grows back to the same size within the first second of load.
 *
 * Measured (1,000 inserts/s, 20 subscribers, 30 s): RSS within ±2% after a 3 s warm-up
 * (the memtable's own rise to its 10,000-row flush is ~3.5 MiB of it), where it used to
 * swing by 10%.
 */
import { PerformanceObserver } from 'node:perf_hooks'
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8'

/**
 * After the last request, collect at these delays: the first takes the load's last garbage;
 * the second comes after V8's 5 s allocation-rate window, when V8 sees the quiet and shrinks
 * the young generation, giving its pages back (so an idle simulator is as small as it was
 * before the load).
 */
export const QUIET_COLLECTIONS_MS = [1000, 5500]
/** How often the policy looks at the activity. */
const TICK_MS = 250
/** Busy: a request or inbound frame within this long. */
export const BUSY_WINDOW_MS = 1000
/** Young generation (both semi-spaces) the simulator keeps: V8's size after a CLI start. */
export const YOUNG_TARGET_BYTES = 16 * 1024 * 1024

export interface GcPolicyOptions {
  gc: () => void
  /** Full collection this often while busy. */
  intervalMs: number
  /** Time of the last request or inbound frame (ms since the epoch). */
  lastActivity: () => number
  now?: () => number
  /** Young generation pinning (default: V8's, in this process). */
  young?: YoungGeneration | null
}

/** Reads and bounds the size of V8's young generation (an interface so tests can fake it). */
export interface YoungGeneration {
  capacityBytes(): number
  /** Growth factor 2 (V8's default) when true, 1 (no growth) when false. */
  allowGrowth(allow: boolean): void
}

export class GcPolicy {
  private timer: NodeJS.Timeout | undefined
  private observer: PerformanceObserver | undefined
  /** Quiet collections done since the last activity. */
  private quietDone = QUIET_COLLECTIONS_MS.length
  private seenActivity = 0
  private lastGc = 0
  private growing: boolean | null = null
  private readonly now: () => number
  private readonly young: YoungGeneration | null

  constructor(private readonly o: GcPolicyOptions) {
    this.now = o.now ?? Date.now
    this.young = o.young === undefined ? v8YoungGeneration() : o.young
  }

  start(): void {
    this.pinYoung()
    this.timer = setInterval(() => this.tick(), TICK_MS)
    this.timer.unref()
    if (this.young) {
      // After every collection: V8 grows the young generation at most once per scavenge,
      // so checking after each one stops it at the target, not a doubling later.
      this.observer = new PerformanceObserver(() => this.pinYoung())
      this.observer.observe({ entryTypes: ['gc'] })
    }
  }

  stop(): void {
    clearInterval(this.timer)
    this.observer?.disconnect()
  }

  /** One check of the policy (public for tests). Returns true when it collected. */
  tick(): boolean {
    const last = this.o.lastActivity()
    const now = this.now()
    if (last !== this.seenActivity) {
      this.seenActivity = last
      this.quietDone = 0
    }
    const quietFor = now - last
    if (quietFor < BUSY_WINDOW_MS) {
      if (now - this.lastGc < this.o.intervalMs) return false
      return this.collect(now)
    }
    const due = QUIET_COLLECTIONS_MS[this.quietDone]
    if (due === undefined || quietFor < due) return false
    this.quietDone++
    return this.collect(now)
  }

  private collect(now: number): boolean {
    this.lastGc = now
    this.o.gc()
    this.pinYoung()
    return true
  }

  /** Growth allowed below the target, stopped at it. */
  pinYoung(): void {
    if (!this.young) return
    const grow = this.young.capacityBytes() < YOUNG_TARGET_BYTES
    if (grow === this.growing) return
    this.growing = grow
    this.young.allowGrowth(grow)
  }
}

/** V8's young generation in this process, or null when this V8 does not report it. */
function v8YoungGeneration(): YoungGeneration | null {
  const space = (): number | undefined =>
    getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size
  try {
    if (space() === undefined) return null
    return {
      capacityBytes: () => space() ?? 0,
      allowGrowth: (allow) => setFlagsFromString(`--semi-space-growth-factor=${allow ? 2 : 1}`)
    }
  } catch {
    return null
  }
}
