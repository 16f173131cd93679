/** T220: RSS growth < 10% over 5 minutes of 10 writers at a constant rate. */
import { growthCriterion, rssGrowth } from '../criteria'
import type { ScenarioDefinition } from '../definition'
import { num } from '../params'

export const memoryStability: ScenarioDefinition = {
  id: 'memory-stability',
  needs: (p) => ({
    writers: num(p, 'writers'),
    writeRequestsPerSec: num(p, 'ratePerSec') / num(p, 'batchSize'),
    subscriptions: 0
  }),
  plannedMs: (p) => num(p, 'baselineMs') + num(p, 'durationMs'),
  async run(ctx) {
    const p = ctx.params
    ctx.phase('baseline', { plannedMs: num(p, 'baselineMs') })
    await ctx.sleep(num(p, 'baselineMs'))
    await ctx.snapshot('baseline-end')
    ctx.phase('load', { plannedMs: num(p, 'durationMs') })
    const writers = ctx.writers({
      ratePerSec: num(p, 'ratePerSec'),
      batchSize: num(p, 'batchSize')
    })
    await ctx.sleep(num(p, 'durationMs'))
    await writers.stop()
    await ctx.snapshot('load-end')
  },
  evaluate(r) {
    return [
      growthCriterion(
        'RSS growth over the load phase',
        rssGrowth(r, 'load'),
        num(r.params, 'maxGrowthPercent'),
        'growth',
        'No RSS figures in the baseline and at the end of the load phase.'
      )
    ]
  }
}
