import { describe, expect, it } from 'vitest'
import { createRamp, rampDecision, type RampStep } from './ramp'
import { testSink } from './testing/sink'

const step = (over: Partial<RampStep> = {}): RampStep => ({
  ratePerSec: 100,
  startedAt: 0,
  durationMs: 1000,
  ok: 100,
  rateLimited: 0,
  unavailable: 0,
  errors: 0,
  achievedPerSec: 100,
  p50Ms: 1,
  p99Ms: 5,
  ...over
})

describe('workload/ramp', () => {
  describe('rampDecision', () => {
    const o = { maxRatePerSec: 1000, latencyBoundMs: 100 }
    it('goes on while a step is clean and below the maximum', () => {
      expect(rampDecision(step(), o)).toBeNull()
    })
    it('stops at 429s, 503s, errors, the latency bound and the maximum rate', () => {
      expect(rampDecision(step({ rateLimited: 1 }), o)).toBe('rate-limited')
      expect(rampDecision(step({ unavailable: 2 }), o)).toBe('unavailable')
      expect(rampDecision(step({ errors: 1, rateLimited: 5 }), o)).toBe('errors')
      expect(rampDecision(step({ p99Ms: 101 }), o)).toBe('latency')
      expect(rampDecision(step({ ratePerSec: 1000 }), o)).toBe('max-rate')
    })
  })

  describe('createRamp', () => {
    it('raises the rate by a step per interval until a step sees 429s', async () => {
      const rates: number[] = []
      const sink = testSink()
      let ramp: ReturnType<typeof createRamp> | null = null
      ramp = createRamp({
        pool: {
          setRate: (r) => {
            rates.push(r)
            // The fake server answers 429 from 300/s on.
            const obs =
              r >= 300 ? { ok: false, code: 'RATE_LIMITED', httpStatus: 429 } : { ok: true }
            queueMicrotask(() => ramp!.observe({ sentUs: 0, rows: 1, latencyUs: 1000, ...obs }))
          }
        },
        startRatePerSec: 100,
        stepRatePerSec: 100,
        stepIntervalMs: 20,
        maxRatePerSec: 1000,
        latencyBoundMs: 1000,
        sink,
        signal: new AbortController().signal
      })
      const result = await ramp.run()
      expect(rates).toEqual([100, 200, 300])
      expect(result.stop).toBe('rate-limited')
      expect(result.maxCleanRatePerSec).toBe(200)
      expect(result.steps.map((s) => s.rateLimited)).toEqual([0, 0, 1])
      expect(sink.events.filter((e) => e.type === 'rate')).toHaveLength(3)
    })

    it('ends after the step at the maximum rate when nothing goes wrong', async () => {
      const ramp = createRamp({
        pool: { setRate: () => {} },
        startRatePerSec: 100,
        stepRatePerSec: 250,
        stepIntervalMs: 10,
        maxRatePerSec: 500,
        latencyBoundMs: 1000,
        sink: testSink(),
        signal: new AbortController().signal
      })
      const result = await ramp.run()
      expect(result.steps.map((s) => s.ratePerSec)).toEqual([100, 350, 500])
      expect(result.stop).toBe('max-rate')
    })
  })
})
