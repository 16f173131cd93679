/**
 * The load ramp (T228): start at a rate, raise it by a step every interval, stop at the
 * first step that saw errors (429, 503 or worse) or whose p99 latency crossed a bound, or
 * after the step at the maximum rate. Each step is judged on its own answers only.
 */
import { createHistogram } from './latency'
import { nowMs, sleep } from './clock'
import type { WriterPool, InsertObservation } from './writers'
import type { WorkloadSink } from './types'

export interface RampOptions {
  pool: Pick<WriterPool, 'setRate'>
  startRatePerSec: number
  stepRatePerSec: number
  stepIntervalMs: number
  maxRatePerSec: number
  latencyBoundMs: number
  sink: WorkloadSink
  signal: AbortSignal
}

export interface RampStep {
  ratePerSec: number
  startedAt: number
  durationMs: number
  ok: number
  rateLimited: number
  unavailable: number
  /** Failures other than 429/503 (timeouts, connection errors, 5xx …). */
  errors: number
  achievedPerSec: number
  p50Ms: number | null
  p99Ms: number | null
}

export type RampStop =
  'rate-limited' | 'unavailable' | 'errors' | 'latency' | 'max-rate' | 'cancelled'

export interface RampResult {
  steps: RampStep[]
  stop: RampStop
  /** The highest rate whose step ended clean; null when even the first did not. */
  maxCleanRatePerSec: number | null
}

/** Why a finished step ends the ramp, or null to go on. Errors win over latency. */
export function rampDecision(
  step: RampStep,
  o: Pick<RampOptions, 'maxRatePerSec' | 'latencyBoundMs'>
): RampStop | null {
  if (step.errors > 0) return 'errors'
  if (step.unavailable > 0) return 'unavailable'
  if (step.rateLimited > 0) return 'rate-limited'
  if (step.p99Ms !== null && step.p99Ms > o.latencyBoundMs) return 'latency'
  if (step.ratePerSec >= o.maxRatePerSec) return 'max-rate'
  return null
}

export interface Ramp {
  /** Feed every answered insert (from the writer pool's onInsert). */
  observe(o: InsertObservation): void
  run(): Promise<RampResult>
}

export function createRamp(options: RampOptions): Ramp {
  let hist = createHistogram()
  let current = { ok: 0, rateLimited: 0, unavailable: 0, errors: 0, rows: 0 }
  const reset = (): void => {
    hist.destroy()
    hist = createHistogram()
    current = { ok: 0, rateLimited: 0, unavailable: 0, errors: 0, rows: 0 }
  }
  return {
    observe(o) {
      if (o.ok) {
        current.ok++
        current.rows += o.rows
        hist.recordValue(Math.max(1, Math.round(o.latencyUs)))
      } else if (o.code === 'RATE_LIMITED' || o.httpStatus === 429) current.rateLimited++
      else if (o.httpStatus === 503) current.unavailable++
      else current.errors++
    },
    async run() {
      const steps: RampStep[] = []
      let rate = Math.min(options.startRatePerSec, options.maxRatePerSec)
      let stop: RampStop = 'cancelled'
      reset()
      options.pool.setRate(rate)
      options.sink.event({ t: Date.now(), type: 'rate', targetPerSec: rate })
      for (;;) {
        const startedAt = nowMs()
        await sleep(options.stepIntervalMs, options.signal)
        if (options.signal.aborted) break
        const durationMs = nowMs() - startedAt
        const count = hist.totalCount
        const step: RampStep = {
          ratePerSec: rate,
          startedAt: Math.round(startedAt),
          durationMs: Math.round(durationMs),
          ok: current.ok,
          rateLimited: current.rateLimited,
          unavailable: current.unavailable,
          errors: current.errors,
          achievedPerSec: Math.round((current.rows / durationMs) * 1000 * 10) / 10,
          p50Ms: count > 0 ? hist.getValueAtPercentile(50) / 1000 : null,
          p99Ms: count > 0 ? hist.getValueAtPercentile(99) / 1000 : null
        }
        steps.push(step)
        const decision = rampDecision(step, options)
        if (decision) {
          stop = decision
          break
        }
        rate = Math.min(rate + options.stepRatePerSec, options.maxRatePerSec)
        reset()
        options.pool.setRate(rate)
        options.sink.event({ t: Date.now(), type: 'rate', targetPerSec: rate })
      }
      hist.destroy()
      let maxClean: number | null = null
      for (const s of steps) {
        if (rampDecision(s, { ...options, maxRatePerSec: Infinity }) === null)
          maxClean = s.ratePerSec
      }
      return { steps, stop, maxCleanRatePerSec: maxClean }
    }
  }
}
