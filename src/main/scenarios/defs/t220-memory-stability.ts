/**
 * T220: RSS growth < 10% over 5 minutes of 10 writers at a constant rate. Growth is judged
 * from the level once the load has settled (after `warmupMs`) to the level at its end; the
 * idle baseline before the load is recorded and reported beside it.
 */
import { ProfilerError } from '../../../shared/errors'
import { formatBytes } from '../../../shared/units'
import { growthPercent } from '../../analysis/growth'
import { growthCriterion, phase, rssGrowth, span } from '../criteria'
import type { ScenarioDefinition } from '../definition'
import { num } from '../params'

export const memoryStability: ScenarioDefinition = {
  id: 'memory-stability',
  validate(p) {
    if (num(p, 'warmupMs') >= num(p, 'durationMs')) {
      throw new ProfilerError('BAD_INPUT', '--warmup must be shorter than --duration')
    }
  },
  needs: (p) => ({
    writers: num(p, 'writers'),
    writeRequestsPerSec: num(p, 'ratePerSec') / num(p, 'batchSize'),
    subscriptions: 0
  }),
  plannedMs: (p) => num(p, 'baselineMs') + num(p, 'durationMs'),
  async run(ctx) {
    const p = ctx.params
    const warmup = num(p, 'warmupMs')
    ctx.phase('baseline', { plannedMs: num(p, 'baselineMs') })
    await ctx.sleep(num(p, 'baselineMs'))
    await ctx.snapshot('baseline-end')
    ctx.phase('warmup', { plannedMs: warmup, pollServer: true })
    const writers = ctx.writers({
      ratePerSec: num(p, 'ratePerSec'),
      batchSize: num(p, 'batchSize')
    })
    await ctx.sleep(warmup)
    ctx.phase('load', { plannedMs: num(p, 'durationMs') - warmup })
    await ctx.sleep(num(p, 'durationMs') - warmup)
    await writers.stop()
    await ctx.snapshot('load-end')
  },
  evaluate(r) {
    const c = growthCriterion(
      'RSS growth over the load phase',
      rssGrowth(r, 'load', 'load'),
      num(r.params, 'maxGrowthPercent'),
      'growth',
      'No RSS figures at the start and at the end of the load phase.'
    )
    const base = phase(r, 'baseline')
    const load = phase(r, 'load')
    if (c.measured === null || !base || !load) return [c]
    const l = span(load)
    const idle = growthPercent(r.samples, 'rssBytes', {
      baseline: span(base),
      final: { from: l.to - Math.max(1000, (l.to - l.from) / 4), to: l.to }
    })
    if (!idle) return [c]
    const sign = idle.growthPercent >= 0 ? '+' : ''
    return [
      {
        ...c,
        reason: `${c.reason} The idle baseline was ${formatBytes(idle.baselineBytes)} (${sign}${idle.growthPercent.toFixed(1)}% to the end of the load, warm-up included; not judged).`
      }
    ]
  }
}
