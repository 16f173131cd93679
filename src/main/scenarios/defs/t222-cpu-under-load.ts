/** T222: CPU of the server process under 1000 inserts/s: average < 60%, peak < 80%. */
import type { CriterionResult } from '../../../shared/session'
import { below, cpuSeconds, notMeasured, phase } from '../criteria'
import type { ScenarioDefinition } from '../definition'
import { num } from '../params'
import { nowMs } from '../../workload/clock'

/** Share of the target rate the run must reach for its CPU figures to mean anything. */
const MIN_ACHIEVED_SHARE = 0.9

export const cpuUnderLoad: ScenarioDefinition = {
  id: 'cpu-under-load',
  needs: (p) => ({
    writers: num(p, 'writers'),
    writeRequestsPerSec: num(p, 'ratePerSec') / num(p, 'batchSize'),
    subscriptions: 0
  }),
  plannedMs: (p) => num(p, 'durationMs'),
  async run(ctx) {
    const p = ctx.params
    ctx.phase('load', { plannedMs: num(p, 'durationMs') })
    const inserts0 = ctx.record.counters.inserts
    const t0 = nowMs()
    const writers = ctx.writers({
      ratePerSec: num(p, 'ratePerSec'),
      batchSize: num(p, 'batchSize')
    })
    await ctx.sleep(num(p, 'durationMs'))
    const rows = ctx.record.counters.inserts - inserts0
    const secs = (nowMs() - t0) / 1000
    await writers.stop()
    if (!ctx.signal.aborted && secs > 0) ctx.measure('achievedPerSec', rows / secs)
  },
  evaluate(r) {
    const load = phase(r, 'load')
    const cpu = load ? cpuSeconds(r, load) : []
    const none = 'No CPU figures in the load phase (no --pid, and the server reported none).'
    const avg = cpu.length > 0 ? cpu.reduce((a, b) => a + b, 0) / cpu.length : null
    const peak = cpu.length > 0 ? Math.max(...cpu) : null
    const target = num(r.params, 'ratePerSec')
    const achieved = r.measures['achievedPerSec'] ?? null
    let rate: CriterionResult
    if (achieved === null) {
      rate = notMeasured(
        'Achieved insert rate',
        `≥ ${Math.round(target * MIN_ACHIEVED_SHARE)}/s`,
        'per-sec',
        'The load phase has not finished.'
      )
    } else {
      const pass = achieved >= target * MIN_ACHIEVED_SHARE
      rate = {
        name: 'Achieved insert rate',
        threshold: `≥ ${Math.round(target * MIN_ACHIEVED_SHARE)}/s`,
        measured: Math.round(achieved * 10) / 10,
        unit: 'per-sec',
        pass,
        reason: `${achieved.toFixed(1)} rows/s of the ${target}/s asked for${pass ? '' : ': the CPU figures below describe a lighter load than the criterion means'}.`
      }
    }
    return [
      below(
        'Average CPU',
        avg,
        num(r.params, 'maxAvgCpuPercent'),
        'percent',
        `Average CPU over ${cpu.length} s of load (100% = one core)`,
        none
      ),
      below(
        'Peak CPU',
        peak,
        num(r.params, 'maxPeakCpuPercent'),
        'percent',
        'The busiest second (100% = one core)',
        none
      ),
      rate
    ]
  }
}
