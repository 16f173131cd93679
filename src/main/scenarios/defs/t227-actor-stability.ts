/**
 * T227: background stress (writers, listeners, flushes) while watching the queues the server
 * reports. KalamDB has no mailbox gauges; system.stats jobs_queued / jobs_running /
 * jobs_failed are the queue figures it does report, and system.jobs lists the jobs
 * themselves (counted by status when system.stats has no job figures). Where a server
 * reports neither, the criterion says "not measurable on this server" — never a pass.
 */
import type { CriterionResult } from '../../../shared/session'
import type { SqlResponse } from '../../target/types'
import { notMeasured } from '../criteria'
import type { ScenarioContext } from '../context'
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
    const failedBefore = await countJobs(ctx, FAILED)
    const watching = watchJobs(ctx, num(p, 'durationMs'))
    await ctx.sleep(num(p, 'durationMs'))
    await watching
    await flusher.stop()
    await writers.stop()
    ctx.measure('droppedNotifications', await subs.drain())
    await ctx.readStats()
    const failedAfter = await countJobs(ctx, FAILED)
    if (failedBefore !== null && failedAfter !== null)
      ctx.measure('systemJobsFailed', failedAfter - failedBefore)
    await subs.stop()
  },
  evaluate(r, final) {
    return [queueCriterion(r, num(r.params, 'maxQueue')), failedJobs(r), droppedCriterion(r, final)]
  }
}

const NOT_ON_SERVER = 'Not measurable on this server: it reports no'

/** Job statuses that wait or run (PROTOCOL.md §7), and the failed one. */
const PENDING = "'new', 'queued', 'running', 'retrying'"
const FAILED = "'failed'"
/** system.jobs is read like system.stats: never faster than every 3 s. */
const JOBS_POLL_MS = 3000

async function countJobs(ctx: ScenarioContext, statuses: string): Promise<number | null> {
  const res = await ctx.query(`SELECT COUNT(*) AS n FROM system.jobs WHERE status IN (${statuses})`)
  return res ? firstNumber(res) : null
}

function firstNumber(res: SqlResponse): number | null {
  const cell = res.results[0]?.rows[0]?.[0]
  const n = typeof cell === 'string' || typeof cell === 'number' ? Number(cell) : NaN
  return Number.isFinite(n) ? n : null
}

/** The longest list of waiting and running jobs seen in system.jobs during the load. */
async function watchJobs(ctx: ScenarioContext, durationMs: number): Promise<void> {
  const until = Date.now() + durationMs
  let max: number | null = null
  while (!ctx.signal.aborted && Date.now() < until) {
    const n = await countJobs(ctx, PENDING)
    if (n === null) break
    max = Math.max(max ?? 0, n)
    ctx.measure('systemJobsPendingMax', max)
    await ctx.sleep(Math.min(JOBS_POLL_MS, until - Date.now()))
  }
}

function queueCriterion(r: RunRecord, bound: number): CriterionResult {
  const name = 'Server-side queue (jobs queued + running)'
  const threshold = `< ${bound}`
  const values = r.stats
    .filter((s) => s.jobsQueued !== undefined || s.jobsRunning !== undefined)
    .map((s) => (s.jobsQueued ?? 0) + (s.jobsRunning ?? 0))
  if (values.length === 0) {
    const listed = r.measures['systemJobsPendingMax'] ?? null
    if (listed !== null) {
      const pass = listed < bound
      return {
        name,
        threshold,
        measured: listed,
        unit: 'count',
        pass,
        reason: `system.stats has no job figures; system.jobs listed at most ${listed} waiting or running job${listed === 1 ? '' : 's'}${pass ? '' : `, not ${threshold}`}.`
      }
    }
    return notMeasured(
      name,
      threshold,
      'count',
      r.stats.length === 0
        ? 'The server has not been polled yet.'
        : `${NOT_ON_SERVER} jobs_queued or jobs_running figure in system.stats, and system.jobs could not be read.`
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
    const listed = r.measures['systemJobsFailed'] ?? null
    if (listed !== null) {
      return {
        name,
        threshold: '== 0',
        measured: listed,
        unit: 'count',
        pass: listed === 0,
        reason: `system.stats has no jobs_failed; system.jobs lists ${listed} more failed job${listed === 1 ? '' : 's'} after the run than before.`
      }
    }
    return notMeasured(
      name,
      '== 0',
      'count',
      r.stats.length < 2
        ? 'Fewer than two polls of the server so far.'
        : `${NOT_ON_SERVER} jobs_failed figure in system.stats, and system.jobs could not be read.`
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
