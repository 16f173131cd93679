/**
 * Sessions recorded from the simulator by the real engine and kept as fixtures
 * (test/fixtures/sessions/sim-*): `run memory-stability` at 200 rows/s for 5 minutes, once
 * against a plain simulator and once with `--leak-bytes-per-insert 1024`. Memory there is a
 * sawtooth of memtable flushes (10,000 rows, every 50 s) with V8's collections on top, so
 * only four or five cycles fit in the load: the hard case for a trend. Truth is the fault.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { AnalysisResult } from '../../src/shared/analysis'
import { memoryContext } from '../../src/main/cli/context'
import { runCli } from '../../src/main/cli/run-cli'

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'sessions')

async function analyze(name: string): Promise<AnalysisResult> {
  const ctx = memoryContext()
  expect(await runCli(['analyze', join(FIXTURES, name), '--json'], ctx)).toBe(0)
  return JSON.parse(ctx.out()) as AnalysisResult
}

describe('analyze on recorded simulator sessions', () => {
  it('calls RSS of the simulator without a leak stable, and nothing a leak', async () => {
    const a = await analyze('sim-no-leak-5m')
    expect(a.metrics.rssBytes).toMatchObject({ verdict: 'stable', sawtooth: true })
    for (const m of Object.values(a.metrics)) expect(m.verdict).not.toBe('leak')
  })

  it('calls RSS and heap of the simulator leaking 1 KiB per insert leaks, ≈ 1 KiB per insert', async () => {
    const a = await analyze('sim-leak-1kib-per-insert-5m')
    expect(a.metrics.rssBytes).toMatchObject({ verdict: 'leak', sawtooth: true })
    expect(a.metrics.heapBytes?.verdict).toBe('leak')
    const perInsert = a.attribution.find((x) => x.metric === 'heapBytes' && x.per === 'insert')
    expect((perInsert?.bytesPerUnit ?? 0) / 1024).toBeGreaterThan(0.8)
    expect((perInsert?.bytesPerUnit ?? 0) / 1024).toBeLessThan(1.2)
    expect(a.findings[0]?.text).toMatch(
      /^RSS leaks: .* all of it anonymous heap, about 1\.\d KiB per insert/
    )
  })
})
