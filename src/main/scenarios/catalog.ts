/**
 * The nine scenarios of DESIGN.md "Scenarios" (a contract) with the seed's numbers
 * (../shared/seeds/testing-strategy.md §3) as defaults and a `quick` value for every
 * parameter that makes a run take well under a minute (demos, CI). Where the seed names no
 * number (rates, durations of T222/T225/T227), the defaults are ours and say so in `checks`.
 */
import { ProfilerError } from '../../shared/errors'
import {
  SCENARIO_IDS,
  type ScenarioId,
  type ScenarioInfo,
  type ScenarioParameter
} from '../../shared/run'

const S = 1000
const MIN = 60_000

const p = (
  name: string,
  label: string,
  kind: ScenarioParameter['kind'],
  def: number | boolean,
  quick?: number | boolean,
  range: { min?: number; max?: number } = {}
): ScenarioParameter => {
  const out: ScenarioParameter = { name, label, kind, default: def }
  if (quick !== undefined) out.quick = quick
  if (range.min !== undefined) out.min = range.min
  if (range.max !== undefined) out.max = range.max
  return out
}

// Shared parameter shapes.
const writers = (def = 10, quick = 5): ScenarioParameter =>
  p('writers', 'Concurrent writers', 'count', def, quick, { min: 1, max: 1000 })
const rate = (def: number, quick = def): ScenarioParameter =>
  p('ratePerSec', 'Insert rate (rows/s, all writers together)', 'rate', def, quick, {
    min: 1,
    max: 100_000
  })
const batch = (): ScenarioParameter =>
  p('batchSize', 'Rows per INSERT', 'count', 1, 1, { min: 1, max: 1000 })
const subscribers = (def: number, quick: number): ScenarioParameter =>
  p('subscribers', 'Live-query subscribers (one WebSocket each)', 'count', def, quick, {
    min: 0,
    max: 5000
  })
const load = (def: number, quick: number): ScenarioParameter =>
  p('durationMs', 'Load phase', 'duration', def, quick, { min: 1 * S, max: 24 * 60 * MIN })
const baseline = (def: number, quick: number): ScenarioParameter =>
  p('baselineMs', 'Baseline phase (no load)', 'duration', def, quick, { min: 1 * S, max: 60 * MIN })

const CATALOG: ScenarioInfo[] = [
  {
    id: 'memory-stability',
    seed: 'T220',
    title: 'Memory stability under write load',
    checks:
      'Measures RSS at rest, then holds a constant insert rate with 10 writers for 5 minutes and compares RSS at the end of the load with RSS once the load has settled (after a warm-up: the seed measures every 30 s, and what the first 30 s fill — caches, buffers, memtables — is working set, not a leak). The idle baseline is reported beside it. The seed names no rate; 200 rows/s is ours.',
    criteria: ['RSS growth < 10% from the end of the warm-up to the end of the load'],
    parameters: [
      writers(),
      rate(200, 50),
      batch(),
      baseline(30 * S, 3 * S),
      load(5 * MIN, 12 * S),
      p('warmupMs', 'Warm-up at the start of the load (not judged)', 'duration', 30 * S, 3 * S, {
        min: 0,
        max: 60 * MIN
      }),
      p('maxGrowthPercent', 'Allowed RSS growth (%)', 'percent', 10, 10, { min: 0, max: 1000 })
    ]
  },
  {
    id: 'writers-and-listeners',
    seed: 'T221',
    title: 'Concurrent writers and listeners',
    checks:
      '10 writers insert while 20 WebSocket live queries listen on the same table for 5 minutes; every close is recorded and every row is counted against the notifications that arrive.',
    criteria: [
      'Unexpected WebSocket disconnects == 0',
      'Dropped notifications == 0',
      'Notification latency p95 < 10 ms'
    ],
    parameters: [
      writers(),
      subscribers(20, 10),
      rate(100, 50),
      batch(),
      load(5 * MIN, 10 * S),
      p('maxNotificationP95Ms', 'Notification latency bound, p95 (ms)', 'ms', 10, 10, {
        min: 0
      })
    ]
  },
  {
    id: 'cpu-under-load',
    seed: 'T222',
    title: 'CPU usage under load',
    checks:
      'Holds 1000 inserts/s and reads the server process CPU every second (100% = one core busy). The seed names no duration; 2 minutes is ours.',
    criteria: [
      'Average CPU < 60%',
      'Peak CPU < 80%',
      'Achieved insert rate ≥ 90% of the target (the CPU figures mean nothing otherwise)'
    ],
    parameters: [
      writers(),
      rate(1000, 300),
      batch(),
      load(2 * MIN, 10 * S),
      p('maxAvgCpuPercent', 'Average CPU bound (%)', 'percent', 60, 60, { min: 0 }),
      p('maxPeakCpuPercent', 'Peak CPU bound (%)', 'percent', 80, 80, { min: 0 })
    ]
  },
  {
    id: 'ws-connection-leak',
    seed: 'T223',
    title: 'WebSocket connection leak',
    checks:
      "Opens 50 live subscriptions (one WebSocket each), closes 25, waits 30 s and asks the server how many it still holds. Between the closes and the wait it also opens and closes 10 more connections 20 times (--churn-cycles, ours: the seed closes once, and 25 closes hide a leak of tens of KiB per connection in the server's own growth), so state the server keeps per closed connection adds up, in its count and in its memory.",
    criteria: [
      'WebSocket sessions the server reports == the number we hold',
      'Active subscriptions the server reports == the number we hold',
      'RSS growth < 10% from the baseline (its later half: where the load started)'
    ],
    parameters: [
      p('subscribers', 'Subscriptions opened', 'count', 50, 50, { min: 1, max: 5000 }),
      p('closeCount', 'Subscriptions closed', 'count', 25, 25, { min: 0, max: 5000 }),
      baseline(10 * S, 2 * S),
      p('settleMs', 'Wait for cleanup after closing', 'duration', 30 * S, 3 * S, {
        min: 0,
        max: 60 * MIN
      }),
      p('maxGrowthPercent', 'Allowed RSS growth (%)', 'percent', 10, 10, { min: 0, max: 1000 }),
      p('churnCycles', 'Open/close cycles of extra connections (0: none)', 'count', 20, 0, {
        min: 0,
        max: 1000
      }),
      p('churnConnections', 'Extra connections per churn cycle', 'count', 10, 5, {
        min: 1,
        max: 5000
      })
    ]
  },
  {
    id: 'memory-release',
    seed: 'T224',
    title: 'Memory release after stress',
    checks:
      'Measures a baseline, runs writers and listeners for 2 minutes, then closes every connection and stays silent for 60 s (reading only /proc: any SQL or WebSocket traffic blocks KalamDB’s idle trim) before measuring again.',
    criteria: ['Final RSS < 15% above the baseline (the seed: within 15%; below it is not a leak)'],
    parameters: [
      writers(),
      subscribers(10, 2),
      rate(200, 100),
      batch(),
      baseline(30 * S, 3 * S),
      load(2 * MIN, 8 * S),
      p('idleMs', 'Idle phase after the load', 'duration', 60 * S, 10 * S, {
        min: 1 * S,
        max: 60 * MIN
      }),
      p('maxResidualPercent', 'Allowed final RSS above baseline (%)', 'percent', 15, 15, {
        min: 0,
        max: 1000
      })
    ]
  },
  {
    id: 'query-latency',
    seed: 'T225',
    title: 'Query performance under stress',
    checks:
      'Runs a SELECT every second while 10 writers insert, measuring each query from its intended start. The seed names no rate or duration; 200 rows/s for 2 minutes is ours.',
    criteria: ['Query latency p50 < 100 ms', 'Query latency p95 < 500 ms'],
    parameters: [
      writers(),
      rate(200, 50),
      batch(),
      load(2 * MIN, 10 * S),
      p('probeIntervalMs', 'Query every', 'duration', 1 * S, 200, { min: 10, max: 10 * MIN }),
      p('maxP50Ms', 'p50 bound (ms)', 'ms', 100, 100, { min: 0 }),
      p('maxP95Ms', 'p95 bound (ms)', 'ms', 500, 500, { min: 0 })
    ]
  },
  {
    id: 'flush-under-load',
    seed: 'T226',
    title: 'Flush operations during stress',
    checks:
      'Flushes the table every 30 s while 10 writers insert, and reads memory right after each flush: what a flush leaves behind must not pile up.',
    criteria: [
      'Failed flushes == 0 (and at least one completed)',
      'RSS after the last flush < 10% above RSS after the first'
    ],
    parameters: [
      writers(),
      rate(200, 50),
      batch(),
      load(3 * MIN, 14 * S),
      p('flushIntervalMs', 'Flush every', 'duration', 30 * S, 4 * S, { min: 1 * S, max: 60 * MIN }),
      p('maxGrowthPercent', 'Allowed growth between flushes (%)', 'percent', 10, 10, {
        min: 0,
        max: 1000
      })
    ]
  },
  {
    id: 'actor-stability',
    seed: 'T227',
    title: 'Actor system stability',
    checks:
      'Background stress (writers, listeners, periodic flushes) while reading whatever queue and job figures the server reports (system.stats jobs_*). KalamDB reports no mailbox sizes; where it reports no queue figure at all, that criterion says so instead of passing.',
    criteria: [
      'Server-side queues (jobs queued + running) < 1000',
      'Failed jobs during the run == 0',
      'Dropped notifications == 0'
    ],
    parameters: [
      writers(),
      subscribers(10, 3),
      rate(200, 50),
      batch(),
      load(2 * MIN, 10 * S),
      p('flushIntervalMs', 'Flush every', 'duration', 30 * S, 4 * S, { min: 1 * S, max: 60 * MIN }),
      p('maxQueue', 'Queue bound', 'count', 1000, 1000, { min: 0 })
    ]
  },
  {
    id: 'graceful-degradation',
    seed: 'T228',
    title: 'Graceful degradation',
    checks:
      'Ramps inserts from 100/s up by a step every 30 s until the server answers with errors or the p99 latency crosses a bound. KalamDB signals overload with 429 RATE_LIMIT_EXCEEDED (there is no load-shedding 503 for SQL): 429 and 503 count as graceful answers. The writers all run as the login user, so the per-user query limit (rate_limit.max_queries_per_sec) is the first overload answer on a server with default limits. Ours around the ramp: a 10 s baseline before it, and after it one flush and 100 s of quiet with every connection closed (KalamDB trims idle memory at its first 30 s check after 60 s without activity), so memory the ramp left behind shows apart from rows waiting in memtables and caches.',
    criteria: [
      'Target did not crash',
      'Unexpected WebSocket disconnects and connection failures == 0',
      'Overload answered with 429 / 503 or slower answers only (other errors == 0)'
    ],
    parameters: [
      writers(20, 10),
      subscribers(2, 2),
      batch(),
      baseline(10 * S, 2 * S),
      p('startRatePerSec', 'Starting rate (rows/s)', 'rate', 100, 100, { min: 1, max: 1_000_000 }),
      p('stepRatePerSec', 'Rate step', 'rate', 100, 200, { min: 1, max: 1_000_000 }),
      p('stepIntervalMs', 'Step every', 'duration', 30 * S, 3 * S, { min: 1 * S, max: 60 * MIN }),
      p('maxRatePerSec', 'Highest rate tried', 'rate', 3000, 700, { min: 1, max: 1_000_000 }),
      p('latencyBoundMs', 'Stop when p99 latency of a step exceeds (ms)', 'ms', 2000, 2000, {
        min: 1
      }),
      p(
        'cooldownMs',
        'Quiet after the ramp, after one flush (0s: no flush, no quiet)',
        'duration',
        100 * S,
        3 * S,
        { min: 0, max: 60 * MIN }
      )
    ]
  }
]

export function scenarioCatalog(): ScenarioInfo[] {
  return structuredClone(CATALOG)
}

export function scenarioInfo(id: ScenarioId): ScenarioInfo {
  const info = CATALOG.find((s) => s.id === id)
  if (!info) throw new ProfilerError('BAD_INPUT', `unknown scenario '${id}'`)
  return structuredClone(info)
}

/** Accepts an id ('memory-stability') or a seed number ('T220', 't220', '220'). */
export function resolveScenarioId(text: string): ScenarioId {
  const t = text.trim().toLowerCase()
  const byId = SCENARIO_IDS.find((id) => id === t)
  if (byId) return byId
  const seed = /^t?(\d{3})$/.exec(t)
  if (seed) {
    const found = CATALOG.find((s) => s.seed === `T${seed[1]}`)
    if (found) return found.id
  }
  throw new ProfilerError(
    'BAD_INPUT',
    `unknown scenario '${text}': expected one of ${CATALOG.map((s) => `${s.id} (${s.seed})`).join(', ')}`
  )
}

/**
 * The CLI flag of a parameter: kebab-case with the unit suffix dropped, since the value
 * carries it ('ratePerSec' → '--rate', 'durationMs' → '--duration', 'maxP95Ms' → '--max-p95').
 */
export function parameterFlag(name: string): string {
  const base = name.replace(/(PerSec|Ms)$/, '')
  return `--${base.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}`
}
