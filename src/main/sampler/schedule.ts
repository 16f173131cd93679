/**
 * The sampler's arithmetic, pure so it is tested without clocks: the fixed schedule, which
 * expensive reads are due, and CPU percentages from cumulative CPU time.
 */

/** DESIGN.md: interval from 100 ms to 60 s. */
export const MIN_INTERVAL_MS = 100
export const MAX_INTERVAL_MS = 60_000
/** DESIGN.md cost rule: smaps_rollup at most once per second, whatever the interval. */
export const ROLLUP_SPACING_MS = 1000
/**
 * The whole status file (VmStk, VmSwap, RssShmem; statm has the rest) at most once a
 * second: at 10 Hz its generation cost as much as every other per-sample read together.
 */
export const STATUS_SPACING_MS = 1000
/** Default spacing of socket scans (see SamplerOptions.socketIntervalMs). */
export const SOCKET_SPACING_MS = 1000
/**
 * Default share of one core each expensive read (smaps_rollup, socket scan) may use at
 * intervals of a second or more (SamplerOptions.readBudget): 0.1%.
 */
export const READ_BUDGET = 0.001
/**
 * The same below a second. Issue 3 allows 0.5% of a core for the whole sampler at 10 Hz; on
 * the 2-core development VM waking its thread 10 times a second alone takes 0.1% (0.15–0.2%
 * for an event-loop timer) and the per-sample reads (stat, statm, fd count; status once a
 * second) with the loop 0.2–0.3%, cold caches making each read several times what it costs
 * in a tight loop. That leaves about 0.1% for smaps_rollup and the socket scan together
 * (bench/sampler.ts).
 */
export const FAST_READ_BUDGET = 0.0005
/**
 * However costly a read, it is made at least this often (PSS must not vanish for minutes).
 * A 1.1 GiB process's smaps_rollup (≈ 15 ms) reaches it at 10 Hz: PSS every 30 s there.
 */
export const MAX_BUDGET_SPACING_MS = 30_000

/** The default budget of each expensive read at this sampling interval. */
export function defaultReadBudget(intervalMs: number): number {
  return intervalMs < 1000 ? FAST_READ_BUDGET : READ_BUDGET
}

/**
 * Spacing of an expensive read: its minimum, stretched so that cost / spacing stays within
 * the budget, capped at MAX_BUDGET_SPACING_MS (or the minimum, if that is longer).
 */
export function budgetedSpacing(minMs: number, costMs: number | null, budget: number): number {
  if (!(budget > 0) || costMs === null) return minMs
  return Math.max(minMs, Math.min(costMs / budget, MAX_BUDGET_SPACING_MS))
}

/** Smooths measured read costs, so one slow read on a busy machine does not stretch much. */
export function smoothCost(prev: number | null, measured: number): number {
  return prev === null ? measured : prev * 0.7 + measured * 0.3
}

/** Exit must be noticed within min(interval, 1 s): the liveness check period. */
export const LIVENESS_MS = 1000

/**
 * Node's timers fire early by up to a millisecond or two: a timer counts from the event
 * loop's cached time, in whole milliseconds, taken before the sample that armed it was read.
 * A tick this close is taken at once: sleeping again for the rest would cost a second
 * wake-up per tick, which at 10 Hz costs as much as the sample itself. (The sample's time
 * stays the tick's; CPU percentages use the measured read times.)
 */
export const TIMER_SLACK_MS = 2

/** How long to sleep before a tick due at `dueMs`: 0 once it is due or within the slack. */
export function sleepBefore(dueMs: number, nowMs: number): number {
  const wait = dueMs - nowMs
  return wait > TIMER_SLACK_MS ? wait : 0
}

/**
 * The tick after tick `k`, given how long after the start the sample finished. Ticks whose
 * time has already passed are skipped (a slow read never queues catch-up samples), and
 * tick times stay k × interval from the start, so there is no drift however long it runs.
 */
export function nextTick(k: number, elapsedMs: number, intervalMs: number): number {
  return Math.max(k + 1, Math.floor(elapsedMs / intervalMs) + 1)
}

/**
 * Whether an expensive read spaced by `spacingMs` is due at tick `k`, given the tick of the
 * last such read (null: never read). Compared in whole ticks, so 100 ms × 10 is exactly 1 s.
 */
export function isDue(
  k: number,
  lastK: number | null,
  intervalMs: number,
  spacingMs: number
): boolean {
  return lastK === null || (k - lastK) * intervalMs >= spacingMs
}

export interface CpuTime {
  monoMs: number
  userMs: number
  systemMs: number
}

export interface CpuPercents {
  cpuPercent: number
  cpuUserPercent: number
  cpuSystemPercent: number
}

/** CPU use between two readings; 100 = one core busy the whole time. null if no time passed. */
export function cpuPercents(prev: CpuTime, cur: CpuTime): CpuPercents | null {
  const wall = cur.monoMs - prev.monoMs
  if (!(wall > 0)) return null
  const user = Math.max(0, cur.userMs - prev.userMs)
  const system = Math.max(0, cur.systemMs - prev.systemMs)
  const pct = (ms: number): number => round2((ms / wall) * 100)
  return {
    cpuPercent: pct(user + system),
    cpuUserPercent: pct(user),
    cpuSystemPercent: pct(system)
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100
}
