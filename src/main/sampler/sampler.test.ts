import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ProfilerError } from '../../shared/errors'
import type { Sample } from '../../shared/sample'
import { startSampler, takeSample } from './sampler'
import type { ProbeReading, ProcessProbe, ReadPlan, SamplerOptions } from './types'

/** A probe with scripted behaviour; CPU time grows 30 ms user + 10 ms system per 100 ms. */
class FakeProbe implements ProcessProbe {
  readonly kind = 'linux'
  readonly pid = 4242
  plans: ReadPlan[] = []
  closed = false
  gone = false
  /** Reported wall time of the expensive reads (ms). */
  rollupCostMs: number | undefined = undefined
  /** Reads that take this long (ms), by read index. */
  slow = new Map<number, number>()
  readError: Error | null = null
  isGoneCalls = 0

  async open(): Promise<void> {}

  async read(plan: ReadPlan): Promise<ProbeReading | null> {
    const i = this.plans.length
    this.plans.push(plan)
    const delay = this.slow.get(i)
    if (delay) await new Promise((r) => setTimeout(r, delay))
    if (this.readError) throw this.readError
    if (this.gone) return null
    const now = performance.now()
    return {
      monoMs: now,
      cpuTimeMs: { user: now * 0.3, system: now * 0.1 },
      memory: {
        rssBytes: 1000 + i,
        heapBytes: 600,
        fileMappedBytes: 400,
        stackBytes: 132 * 1024,
        swapBytes: 0,
        threads: 3,
        fds: 12
      },
      rollup: plan.rollup ? { pssBytes: 900, ussBytes: 700 } : null,
      sockets: plan.sockets ? { tcpConnections: i, portConnections: 1 } : null,
      ...(plan.rollup && this.rollupCostMs !== undefined
        ? { costMs: { rollup: this.rollupCostMs } }
        : {})
    }
  }

  async isGone(): Promise<boolean> {
    this.isGoneCalls++
    return this.gone
  }

  async close(): Promise<void> {
    this.closed = true
  }
}

function collect(): { samples: Sample[]; exits: { pid: number; t: number }[]; errors: Error[] } {
  return { samples: [], exits: [], errors: [] }
}

/** Samples `probe` on fake timers for `ms` with these options, then stops; the samples taken. */
async function sampleFor(
  ms: number,
  options: Omit<SamplerOptions, 'pid' | 'probe'>,
  probe = new FakeProbe()
): Promise<Sample[]> {
  const samples: Sample[] = []
  const s = startSampler({ pid: 4242, probe, ...options }, { onSample: (x) => samples.push(x) })
  await vi.advanceTimersByTimeAsync(ms)
  await s.stop()
  return samples
}

/** Indexes of the samples that carry PSS (read smaps_rollup). */
function pssAt(samples: readonly Sample[]): number[] {
  return samples.flatMap((x, k) => (x.pssBytes === null ? [] : [k]))
}

/** A probe whose smaps_rollup reads report this cost. */
function rollupCosting(ms: number): FakeProbe {
  const probe = new FakeProbe()
  probe.rollupCostMs = ms
  return probe
}

describe('sampler/sampler', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] })
    vi.setSystemTime(1_700_000_000_000)
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  describe('startSampler', () => {
    it('takes samples on a fixed schedule from the start, without drift', async () => {
      const probe = new FakeProbe()
      const got = collect()
      const s = startSampler(
        { pid: 4242, intervalMs: 100, probe },
        { onSample: (x) => got.samples.push(x) }
      )
      await vi.advanceTimersByTimeAsync(60_000)
      await s.stop()
      const t0 = got.samples[0]!.t
      expect(got.samples.length).toBeGreaterThanOrEqual(600)
      got.samples.forEach((x, k) => expect(x.t).toBe(t0 + k * 100))
      expect(await s.done).toBe('stopped')
      expect(probe.closed).toBe(true)
    })

    it('arms one timer per tick at 10 Hz and reads nothing between ticks (real timers)', async () => {
      // Node's timers fire up to a millisecond or two early; the sampler used to sleep again
      // for the rest and read /proc/PID/stat in between: two wake-ups and a read per tick.
      vi.useRealTimers()
      const probe = new FakeProbe()
      const got = collect()
      const timers = vi.spyOn(globalThis, 'setTimeout')
      try {
        const s = startSampler(
          { pid: 4242, intervalMs: 100, probe },
          { onSample: (x) => got.samples.push(x) }
        )
        await new Promise((r) => setTimeout(r, 1_550))
        const armed = timers.mock.calls.length - 1 // the wait just above
        await s.stop()
        expect(got.samples.length).toBeGreaterThanOrEqual(14)
        expect(armed).toBeLessThanOrEqual(got.samples.length)
        expect(probe.isGoneCalls).toBe(0)
        expect(probe.plans).toHaveLength(got.samples.length)
      } finally {
        timers.mockRestore()
      }
    })

    it('reads smaps_rollup once per second at 10 Hz and leaves PSS/USS null in between', async () => {
      const samples = await sampleFor(2_050, { intervalMs: 100 })
      expect(pssAt(samples)).toEqual([0, 10, 20])
      expect(samples.every((x) => (x.pssBytes === null) === (x.ussBytes === null))).toBe(true)
      expect(samples[10]).toMatchObject({ pssBytes: 900, ussBytes: 700 })
    })

    it('spaces a 20 ms rollup 30 s apart by default at 10 Hz (0.05% of a core, capped)', async () => {
      const samples = await sampleFor(60_050, { intervalMs: 100 }, rollupCosting(20))
      expect(pssAt(samples)).toEqual([0, 300, 600])
    })

    it('spaces a 5 ms rollup 5 s apart by default at 1 Hz (0.1% of a core)', async () => {
      const samples = await sampleFor(12_050, { intervalMs: 1000 }, rollupCosting(5))
      expect(pssAt(samples)).toEqual([0, 5, 10])
    })

    it('spaces a costly rollup so it stays within its budget of a core', async () => {
      // 5 ms at 0.2% of a core: every 2.5 s.
      const samples = await sampleFor(
        6_050,
        { intervalMs: 100, readBudget: 0.002 },
        rollupCosting(5)
      )
      expect(pssAt(samples)).toEqual([0, 25, 50])
    })

    it('reads the rollup once a second whatever it costs when the budget is 0', async () => {
      const probe = new FakeProbe()
      probe.rollupCostMs = 50
      const s = startSampler(
        { pid: 4242, intervalMs: 500, probe, readBudget: 0 },
        { onSample: () => {} }
      )
      await vi.advanceTimersByTimeAsync(2_050)
      await s.stop()
      expect(probe.plans.map((p) => p.rollup)).toEqual([true, false, true, false, true])
    })

    it('reads the rollup at every sample when the interval is 1 s or more', async () => {
      const probe = new FakeProbe()
      const s = startSampler({ pid: 4242, intervalMs: 1500, probe }, { onSample: () => {} })
      await vi.advanceTimersByTimeAsync(6_100)
      await s.stop()
      expect(probe.plans.map((p) => p.rollup)).toEqual([true, true, true, true, true])
    })

    it('asks for the whole status once a second at 10 Hz, and at every sample from 1 s', async () => {
      const fast = new FakeProbe()
      const s = startSampler({ pid: 4242, intervalMs: 100, probe: fast }, { onSample: () => {} })
      await vi.advanceTimersByTimeAsync(2_050)
      await s.stop()
      const statusAt = fast.plans.flatMap((p, k) => (p.status ? [k] : []))
      expect(statusAt).toEqual([0, 10, 20])
      const slow = new FakeProbe()
      const t = startSampler({ pid: 4242, intervalMs: 1000, probe: slow }, { onSample: () => {} })
      await vi.advanceTimersByTimeAsync(3_050)
      await t.stop()
      expect(slow.plans.map((p) => p.status)).toEqual([true, true, true, true])
    })

    it('scans sockets once a second at 10 Hz, repeating the counts with their socketsAt', async () => {
      const samples = await sampleFor(1_250, { port: 8080, intervalMs: 100 })
      const [first, fifth, tenth] = [samples[0]!, samples[5]!, samples[10]!]
      expect(first).toMatchObject({ tcpConnections: 0, portConnections: 1, socketsAt: first.t })
      expect(fifth).toMatchObject({ tcpConnections: 0, socketsAt: first.t })
      expect(tenth).toMatchObject({ tcpConnections: 10, socketsAt: tenth.t })
    })

    it('scans sockets at every sample when socketIntervalMs is 0', async () => {
      const samples = await sampleFor(450, { intervalMs: 100, socketIntervalMs: 0 })
      expect(samples.map((x) => x.tcpConnections)).toEqual([0, 1, 2, 3, 4])
      expect(samples.every((x) => x.socketsAt === x.t)).toBe(true)
    })

    it('skips ticks a slow read overran instead of piling samples up', async () => {
      const probe = new FakeProbe()
      probe.slow.set(3, 250) // tick 3 (300 ms) finishes at 550 ms: ticks 4 and 5 are gone
      const got = collect()
      const s = startSampler(
        { pid: 4242, intervalMs: 100, probe },
        { onSample: (x) => got.samples.push(x) }
      )
      await vi.advanceTimersByTimeAsync(850)
      await s.stop()
      const t0 = got.samples[0]!.t
      expect(got.samples.map((x) => (x.t - t0) / 100)).toEqual([0, 1, 2, 3, 6, 7, 8])
    })

    it('computes CPU from deltas: null first, then 100 = one core', async () => {
      const probe = new FakeProbe()
      const got = collect()
      const s = startSampler(
        { pid: 4242, intervalMs: 100, probe },
        { onSample: (x) => got.samples.push(x) }
      )
      await vi.advanceTimersByTimeAsync(250)
      await s.stop()
      expect(got.samples[0]).toMatchObject({
        cpuPercent: null,
        cpuUserPercent: null,
        cpuSystemPercent: null
      })
      expect(got.samples[1]).toMatchObject({
        cpuPercent: 40,
        cpuUserPercent: 30,
        cpuSystemPercent: 10
      })
    })

    it('produces the Sample contract: fields, order, wsConnections null, no server', async () => {
      const probe = new FakeProbe()
      const got = collect()
      const s = startSampler(
        { pid: 4242, intervalMs: 1000, probe },
        { onSample: (x) => got.samples.push(x) }
      )
      await vi.advanceTimersByTimeAsync(10)
      await s.stop()
      expect(Object.keys(got.samples[0]!)).toEqual([
        't',
        'pid',
        'rssBytes',
        'pssBytes',
        'ussBytes',
        'heapBytes',
        'fileMappedBytes',
        'stackBytes',
        'swapBytes',
        'cpuPercent',
        'cpuUserPercent',
        'cpuSystemPercent',
        'threads',
        'fds',
        'tcpConnections',
        'portConnections',
        'socketsAt',
        'wsConnections'
      ])
      expect(got.samples[0]).toMatchObject({ pid: 4242, wsConnections: null, heapBytes: 600 })
    })

    it('reports an exit and takes no further sample when a read finds the process gone', async () => {
      const probe = new FakeProbe()
      const got = collect()
      const s = startSampler(
        { pid: 4242, intervalMs: 100, probe },
        { onSample: (x) => got.samples.push(x), onExit: (e) => got.exits.push(e) }
      )
      await vi.advanceTimersByTimeAsync(250)
      probe.gone = true
      await vi.advanceTimersByTimeAsync(1000)
      expect(await s.done).toBe('exited')
      expect(got.samples).toHaveLength(3)
      expect(got.exits).toEqual([{ pid: 4242, t: expect.any(Number) }])
      expect(probe.closed).toBe(true)
    })

    it('notices an exit within a second on a 10 s interval', async () => {
      const probe = new FakeProbe()
      const got = collect()
      const s = startSampler(
        { pid: 4242, intervalMs: 10_000, probe },
        { onSample: (x) => got.samples.push(x), onExit: (e) => got.exits.push(e) }
      )
      await vi.advanceTimersByTimeAsync(2_300)
      const goneAt = Date.now()
      probe.gone = true
      await vi.advanceTimersByTimeAsync(1_000)
      expect(got.exits).toHaveLength(1)
      expect(got.exits[0]!.t - goneAt).toBeLessThanOrEqual(1_000)
      expect(got.samples).toHaveLength(1)
      expect(await s.done).toBe('exited')
    })

    it('stops on an aborted signal', async () => {
      const probe = new FakeProbe()
      const ac = new AbortController()
      const s = startSampler(
        { pid: 4242, intervalMs: 5_000, probe, signal: ac.signal },
        { onSample: () => {} }
      )
      await vi.advanceTimersByTimeAsync(100)
      ac.abort()
      expect(await s.done).toBe('stopped')
      expect(probe.closed).toBe(true)
    })

    it('reports a failed read through onError and stops', async () => {
      const probe = new FakeProbe()
      probe.readError = new ProfilerError('PERMISSION_DENIED', 'cannot read /proc/1/fd')
      const got = collect()
      const s = startSampler(
        { pid: 4242, intervalMs: 100, probe },
        { onSample: (x) => got.samples.push(x), onError: (e) => got.errors.push(e) }
      )
      await vi.advanceTimersByTimeAsync(10)
      expect(await s.done).toBe('error')
      expect(got.errors[0]).toMatchObject({ code: 'PERMISSION_DENIED' })
      expect(got.samples).toHaveLength(0)
    })

    it('rejects an interval outside 100 ms … 60 s', () => {
      const probe = new FakeProbe()
      for (const intervalMs of [99, 60_001, Number.NaN]) {
        expect(() => startSampler({ pid: 1, intervalMs, probe }, { onSample: () => {} })).toThrow(
          /out of range/
        )
      }
    })
  })

  describe('takeSample', () => {
    it('returns one sample with rollup and sockets and CPU null', async () => {
      const x = await takeSample(4242, 8080, new FakeProbe())
      expect(x).toMatchObject({ pid: 4242, pssBytes: 900, tcpConnections: 0, cpuPercent: null })
    })

    it('throws TARGET_EXITED when the process is gone', async () => {
      const probe = new FakeProbe()
      probe.gone = true
      await expect(takeSample(4242, null, probe)).rejects.toMatchObject({ code: 'TARGET_EXITED' })
    })
  })
})
