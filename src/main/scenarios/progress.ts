/** Live figures of a run for RunProgress: the achieved rate and latency percentiles so far. */
import type { RunProgress } from '../../shared/run'
import { nowMs } from '../workload/clock'
import type { LatencyRecorder } from '../workload/latency'

/** Inserts per second over the last few ticks (a one-second figure jumps with each batch). */
export class RateWindow {
  private points: { t: number; inserts: number }[] = []

  constructor(private readonly size = 4) {}

  push(inserts: number, t = nowMs()): void {
    this.points.push({ t, inserts })
    if (this.points.length > this.size) this.points.shift()
  }

  ratePerSec(): number {
    const first = this.points[0]
    const last = this.points[this.points.length - 1]
    if (!first || !last || last.t <= first.t) return 0
    return Math.round(((last.inserts - first.inserts) / (last.t - first.t)) * 10_000) / 10
  }
}

const OPERATIONS = ['insert', 'query', 'notification', 'flush'] as const

export function latencySoFar(l: LatencyRecorder): NonNullable<RunProgress['latency']> {
  const out: NonNullable<RunProgress['latency']> = {}
  for (const op of OPERATIONS) {
    const count = l.count(op)
    if (count === 0) continue
    const ms = (q: number): number => Math.round((l.percentileUs(op, q) ?? 0) / 10) / 100
    out[op] = { count, p50Ms: ms(50), p95Ms: ms(95), p99Ms: ms(99) }
  }
  return out
}
