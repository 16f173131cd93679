/** T221: writers and live-query listeners together: no disconnects, no drops, fast notifications. */
import type { CriterionResult } from '../../../shared/session'
import { below, equals } from '../criteria'
import type { ScenarioDefinition } from '../definition'
import { num } from '../params'
import type { RunRecord } from '../record'

/** Fewer notifications than this and a p95 says nothing. */
const MIN_LATENCY_COUNT = 20

export const writersAndListeners: ScenarioDefinition = {
  id: 'writers-and-listeners',
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
    ctx.measure('subscriptionsOpened', subs.open)
    ctx.phase('load', { plannedMs: num(p, 'durationMs') })
    const writers = ctx.writers({
      ratePerSec: num(p, 'ratePerSec'),
      batchSize: num(p, 'batchSize')
    })
    await ctx.sleep(num(p, 'durationMs'))
    await writers.stop()
    ctx.measure('droppedNotifications', await subs.drain())
    await subs.stop()
  },
  evaluate(r, final) {
    return [
      subscriptionsOpened(r),
      equals(
        'Unexpected WebSocket disconnects',
        r.counters.disconnects,
        0,
        'Connections closed by the server or the network',
        'No subscriber ran.'
      ),
      droppedCriterion(r, final),
      notificationLatency(r, num(r.params, 'maxNotificationP95Ms'))
    ]
  }
}

export function subscriptionsOpened(r: RunRecord): CriterionResult {
  const wanted = num(r.params, 'subscribers')
  const opened = r.measures['subscriptionsOpened'] ?? null
  const failed = r.subscribers.filter((s) => s.state === 'failed')
  const why = failed[0]?.error ? ` (first failure: ${failed[0].error})` : ''
  return equals(
    'Subscriptions opened',
    opened,
    wanted,
    'Live subscriptions acknowledged by the server',
    'The subscribers have not been opened yet.',
    why
  )
}

export function droppedCriterion(r: RunRecord, final: boolean): CriterionResult {
  const measured = final
    ? (r.measures['droppedNotifications'] ?? null)
    : r.counters.droppedNotifications
  const lossy = r.subscribers.filter((s) => s.expected > s.received && s.state !== 'failed')
  const detail =
    lossy.length > 0
      ? ` (${lossy.length} of ${r.subscribers.length} subscribers missed rows: ${lossy
          .slice(0, 5)
          .map((s) => `${s.id} ${s.expected - s.received} of ${s.expected}`)
          .join(', ')}${lossy.length > 5 ? ', …' : ''})`
      : ''
  return equals(
    'Dropped notifications',
    measured,
    0,
    'Rows inserted after a subscription was acknowledged that never reached it',
    'No subscriber finished its run.',
    detail
  )
}

export function notificationLatency(r: RunRecord, boundMs: number): CriterionResult {
  const n = r.latency.count('notification')
  const p95 = r.latency.percentileUs('notification', 95)
  return below(
    'Notification latency p95',
    n >= MIN_LATENCY_COUNT && p95 !== null ? p95 / 1000 : null,
    boundMs,
    'ms',
    `p95 from row send to arrival over ${n} notifications`,
    `Only ${n} notifications arrived: too few for a p95.`
  )
}
