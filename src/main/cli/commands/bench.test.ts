/**
 * `bench`'s progress on a terminal: one line redrawn in place (a bar with the benchmark, its
 * phase — warm-up, then measure — and the count), cleared before each finished line, and
 * nothing left half-drawn at the end. The plain-line mode is covered in
 * test/integration/bench.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SIM_PASSWORD, SIM_USER, startSim, type RunningSim } from '../../../../test/helpers/sim'
import { memoryContext } from '../context'
import { runCli } from '../run-cli'

let sim: RunningSim
beforeAll(async () => {
  sim = await startSim()
})
afterAll(async () => {
  await sim?.stop()
})

/** The terminal's erase-to-end-of-line, shown as <EL> so the patterns below stay readable. */
const EL = '\x1b[K'
const BAR = /\r\[1\/1\] write-latency (warm-up|measure) [█░]{20} \d+\/\d+<EL>/g

describe('bench (CLI) progress on a terminal', () => {
  it('redraws a bar through warm-up and measure, then clears it for the finished line', async () => {
    let err = ''
    const ctx = memoryContext({
      stderr: { write: (s: string) => (err += s), isTTY: true }
    })
    const code = await runCli(
      [
        'bench',
        '--url',
        sim.url,
        '--user',
        SIM_USER,
        '--password',
        SIM_PASSWORD,
        '--quick',
        '--only',
        'write-latency'
      ],
      ctx
    )
    expect(code, err).toBe(0)
    const shown = err.replaceAll(EL, '<EL>')
    const bars = [...shown.matchAll(BAR)]
    const phases = bars.map((m) => m[1])
    expect(phases).toContain('warm-up')
    expect(phases).toContain('measure')
    // Warm-up comes before any measuring, and the last bar is a full one.
    expect(phases.indexOf('warm-up')).toBeLessThan(phases.indexOf('measure'))
    expect(bars.at(-1)![0]).toMatch(/measure █{20} 30\/30/)
    // The bar is wiped before the finished line, so the line starts clean.
    expect(shown).toMatch(/\r<EL>bench 1\/1 write-latency: done, .* \(n=30\), \d+\.\d s\n/)
    // The bar replaces the plain 'running' lines, and no bar is left drawn for stdout to
    // continue: stderr ends on a newline or a wiped line.
    expect(shown).not.toMatch(/: running\n/)
    expect(shown).toMatch(/(\n|\r<EL>)$/)
  })
})
