/**
 * Each simulator fault against the scenario that must catch it, in --quick mode, with the
 * figure in the verdict. Leak sizes are far above the simulator's own heap noise at quick
 * rates (±10% RSS from garbage collection), so the verdicts are unambiguous.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { readSession } from '../../src/main/session/reader'
import { describeRun, removeTempDirs, runQuick } from './scenario-helpers'

afterAll(removeTempDirs)

/**
 * Leak per row, sized for the quick rates: T220 judges ~9 s at 50 rows/s (~450 rows × 128 KiB
 * ≈ 56 MiB), T224 ~8 s at 100 rows/s (~800 rows × 64 KiB ≈ 50 MiB), on a ~80 MiB baseline.
 */
const LEAK_T220 = String(128 * 1024)
const LEAK_T224 = String(64 * 1024)

describe.concurrent('run --quick against a faulty simulator', () => {
  it('fails T220 with the growth figure when every insert leaks', async () => {
    const r = await runQuick('T220', ['--leak-bytes-per-insert', LEAK_T220])
    expect(r.code, describeRun(r)).toBe(1)
    const v = r.result.verdicts[0]!
    expect(v).toMatchObject({
      name: 'RSS growth over the load phase',
      pass: false,
      unit: 'percent'
    })
    expect(v.measured).toBeGreaterThan(25)
    expect(v.reason).toMatch(/RSS went from .* MiB .* to .* MiB .*, \+\d+\.\d%, beyond < 10%/)
  })

  it('fails T224 with the growth figure when every insert leaks', async () => {
    const r = await runQuick('T224', ['--leak-bytes-per-insert', LEAK_T224])
    expect(r.code, describeRun(r)).toBe(1)
    const v = r.result.verdicts[0]!
    expect(v).toMatchObject({ name: 'Final RSS above baseline', pass: false })
    expect(v.measured).toBeGreaterThan(30)
  })

  it('fails T223 with the count when closed connections stay on the server', async () => {
    const r = await runQuick('T223', ['--leak-connections'])
    expect(r.code, describeRun(r)).toBe(1)
    const v = r.result.verdicts.find((c) => c.name === 'Server-reported WebSocket sessions')!
    expect(v).toMatchObject({ measured: 50, threshold: '== 25', pass: false })
    expect(v.reason).toMatch(/25 closed connections still held by the server/)
  })

  it('ends target-crashed when the server dies mid-run, with a complete session', async () => {
    const r = await runQuick('T220', ['--crash-after', '7s'])
    expect(r.code, describeRun(r)).toBe(1)
    expect(r.result.status).toBe('target-crashed')
    expect(
      r.result.verdicts.every((v) => v.pass === false && /target exited/.test(v.reason ?? ''))
    ).toBe(true)
    const s = await readSession(r.result.dir)
    expect(s.meta.status).toBe('target-crashed')
    const crash = s.events.find((e) => e.type === 'crash')
    expect(crash).toBeDefined()
    expect(s.verdicts).toHaveLength(1)
    expect(s.latency).not.toBeNull()
  })

  it('records 429s as graceful overload in T228 and passes', async () => {
    const r = await runQuick('T228', ['--max-sql-per-sec', '50'])
    expect(r.code, describeRun(r)).toBe(0)
    const s = await readSession(r.result.dir)
    const last = s.events.filter((e) => e.type === 'counters').at(-1) as { rateLimited: number }
    expect(last.rateLimited).toBeGreaterThan(0)
    expect(
      s.events.some((e) => e.type === 'error' && e.code === 'RATE_LIMITED' && e.httpStatus === 429)
    ).toBe(true)
    expect(s.meta['ramp']).toMatchObject({ stop: 'rate-limited' })
  })

  it('reports dropped notifications per subscriber in T221', async () => {
    const r = await runQuick('T221', ['--drop-notifications-ratio', '0.2'])
    expect(r.code, describeRun(r)).toBe(1)
    const v = r.result.verdicts.find((c) => c.name === 'Dropped notifications')!
    expect(v.pass).toBe(false)
    // 10 subscribers × ~500 rows × 0.2.
    expect(v.measured).toBeGreaterThan(300)
    expect(v.reason).toMatch(/10 of 10 subscribers missed rows: sub0 \d+ of \d+/)
  })
})
