/**
 * T227: background stress (writers, listeners, flushes) while watching the queues the server
 * reports. KalamDB has no mailbox gauges; system.stats jobs_queued / jobs_running /
 * jobs_failed are the queue figures it does report. Where a server reports none, the
 * criterion says "not measurable on this server" — never a pass.
 */
import type { CriterionResult } from '../../../shared/session'
import { notMeasured } from '../criteria'
import type { ScenarioDefinition } from '../definition'
import { num } from '../params'
import type { RunRecord } from '../record'
import { droppedCriterion } from './t221-writers-and-listeners'

export const actorStability: ScenarioDefinition = {
  id: 'actor-stability',
  needs: (p) => ({
    writers: num(p, 'writers'),
    writeRequestsPerSec: num(p, 'ratePerSec') / num(p, 'batchSize'),
    subscriptions: num(p, 'subscribers')
  }),
  plannedMs: (p) => num(p, 'durationMs'),
  async run(ctx) {
    const p = ctx.params
    const subs = ctx.subscribers(num(p, 'subscribers'))
    await subs.ready
    ctx.phase('load', { plannedMs: num(p, 'durationMs') })
    const writers = ctx.writers({
      ratePerSec: num(p, 'ratePerSec'),
      batchSize: num(p, 'batchSize')
    })
    const flusher = ctx.flusher(num(p, 'flushIntervalMs'))
    // One poll right away, so even a short run has a queue figure from its start.
    await ctx.readStats()
    await ctx.sleep(num(p, 'durationMs'))
    await flusher.stop()
    await writers.stop()
    ctx.measure('droppedNotifications', await subs.drain())
    await ctx.readStats()
    await subs.stop()
  },
  evaluate(r, final) {
    return [queueCriterion(r, num(r.params, 'maxQueue')), failedJobs(r), droppedCriterion(r, final)]
  }
}

const NOT_ON_SERVER = 'Not measurable on this server: its system.stats reports no'

function queueCriterion(r: RunRecord, bound: number): CriterionResult {
  const name = 'Server-side queue (jobs queued + running)'
  const threshold = `< ${bound}`
  const values = r.stats
    .filter((s) => s.jobsQueued !== undefined || s.jobsRunning !== undefined)
    .map((s) => (s.jobsQueued ?? 0) + (s.jobsRunning ?? 0))
  if (values.length === 0) {
    return notMeasured(
      name,
      threshold,
      'count',
      r.stats.length === 0
        ? 'The server has not been polled yet.'
        : `${NOT_ON_SERVER} jobs_queued or jobs_running figure.`
    )
  }
  const peak = Math.max(...values)
  const pass = peak < bound
  return {
    name,
    threshold,
    measured: peak,
    unit: 'count',
    pass,
    reason: `The longest queue over ${values.length} polls was ${peak}${pass ? '' : `, not ${threshold}`}.`
  }
}

function failedJobs(r: RunRecord): CriterionResult {
  const name = 'Jobs failed during the run'
  const values = r.stats.map((s) => s.jobsFailed).filter((v): v is number => v !== undefined)
  if (values.length < 2) {
    return notMeasured(
      name,
      '== 0',
      'count',
      r.stats.length < 2
        ? 'Fewer than two polls of the server so far.'
        : `${NOT_ON_SERVER} jobs_failed figure.`
    )
  }
  const delta = values[values.length - 1]! - values[0]!
  return {
    name,
    threshold: '== 0',
    measured: delta,
    unit: 'count',
    pass: delta === 0,
    reason: `jobs_failed went from ${values[0]} to ${values[values.length - 1]} over the run.`
  }
}
