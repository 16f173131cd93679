import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { type ErrorData, ProfilerError, toErrorData } from '../../../shared/errors'
import { formatBytes } from '../../../shared/units'
import { getAuthStatus, getHealth, runSetup } from '../../target/auth'
import { connectKalam } from '../../target/client'
import { isKalamError } from '../../target/errors'
import { HttpPool } from '../../target/http'
import { createNamespaceSql, dropNamespaceSql, qualifiedTable } from '../../target/sql-text'
import { cellText } from '../../target/sql'
import type {
  KalamClient,
  LiveChange,
  LiveConnection,
  ServerLimits,
  ServerStats
} from '../../target/types'
import { defineCommand } from '../command'
import type { CliContext } from '../context'
import { type AuthFlags, authOptions, resolveCredentials } from '../credentials'
import { durationInRange, url } from '../parse-options'

interface ProbeOptions extends AuthFlags {
  url?: string
  setup?: boolean
  json?: boolean
  timeout: number
}

export type StepStatus = 'pass' | 'fail' | 'skip'

/** One line of the probe: what was checked, how long it took, what came back. */
export interface ProbeStep {
  name: string
  status: StepStatus
  ms: number
  detail: string
  error?: ErrorData
}

/** `probe --json`: the steps, plus the figures the server reported. */
export interface ProbeReport {
  url: string
  ok: boolean
  steps: ProbeStep[]
  version: string | null
  user: string | null
  role: string | null
  stats: Omit<ServerStats, 'raw'> | null
  limits: ServerLimits | null
}

/** How long the WebSocket step waits for the change frame of its INSERT. */
const NOTIFICATION_WAIT_MS = 5000

/** A failure the probe cannot continue past. */
class Fatal extends Error {
  constructor(readonly error: unknown) {
    super('fatal')
  }
}

class Probe {
  readonly steps: ProbeStep[] = []

  constructor(
    private readonly ctx: CliContext,
    private readonly json: boolean
  ) {}

  /** Runs one check; `fatal` failures end the probe after printing their line. */
  async step<T>(
    name: string,
    fatal: boolean,
    run: () => Promise<{ value: T; detail: string }>
  ): Promise<T | null> {
    this.ctx.signal.throwIfAborted()
    const started = performance.now()
    try {
      const { value, detail } = await run()
      this.record({ name, status: 'pass', ms: performance.now() - started, detail })
      return value
    } catch (e) {
      if (this.ctx.signal.aborted) throw new ProfilerError('CANCELLED', 'probe interrupted')
      const error = toErrorData(e)
      this.record({
        name,
        status: 'fail',
        ms: performance.now() - started,
        detail: error.message,
        error
      })
      if (fatal) throw new Fatal(e)
      return null
    }
  }

  skip(name: string, detail: string): void {
    this.record({ name, status: 'skip', ms: 0, detail })
  }

  private record(step: ProbeStep): void {
    step.ms = Math.round(step.ms * 10) / 10
    this.steps.push(step)
    if (!this.json) this.ctx.stdout.write(formatStep(step))
  }
}

const STATUS_WORD: Record<StepStatus, string> = { pass: 'pass', fail: 'FAIL', skip: 'skip' }

/** `  pass  health        2.1 ms  healthy, KalamDB 0.4.3-rc.4 (API v1)` */
export function formatStep(step: ProbeStep): string {
  const ms = step.status === 'skip' ? '' : `${step.ms.toFixed(step.ms < 10 ? 1 : 0)} ms`
  return `  ${STATUS_WORD[step.status]}  ${step.name.padEnd(12)} ${ms.padStart(9)}  ${step.detail}\n`
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`
}

function statsDetail(s: ServerStats): string {
  const parts: string[] = []
  if (s.version) parts.push(`KalamDB ${s.version}`)
  if (s.memoryBytes !== undefined) parts.push(`memory ${formatBytes(s.memoryBytes)}`)
  if (s.cpuPercent !== undefined) parts.push(`CPU ${s.cpuPercent.toFixed(1)}%`)
  if (s.threads !== undefined) parts.push(plural(s.threads, 'thread'))
  if (s.websocketSessions !== undefined)
    parts.push(plural(s.websocketSessions, 'WebSocket session'))
  if (s.activeSubscriptions !== undefined) parts.push(plural(s.activeSubscriptions, 'subscription'))
  if (s.jobsRunning !== undefined) parts.push(`${plural(s.jobsRunning, 'job')} running`)
  if (s.allocator) parts.push(`allocator ${s.allocator}`)
  return parts.length > 0 ? parts.join(', ') : `${Object.keys(s.raw).length} metrics, none known`
}

function limitsDetail(l: ServerLimits): string {
  const v = (n: number | null): string => (n === null ? '?' : String(n))
  return [
    `${v(l.maxQueriesPerSec)} SQL/s per user`,
    `${v(l.maxSubscriptionsPerUser)} subscriptions per user`,
    `${v(l.maxMessagesPerSec)} WS frames/s per connection`,
    `idle WebSocket timeout ${v(l.clientTimeoutSecs)} s`,
    `SELECT limit ${v(l.defaultQueryLimit)}/${v(l.maxQueryLimit)}`
  ].join(', ')
}

/** Subscribes to the probe table, inserts one row, and waits for its change frame. */
async function liveRoundTrip(
  client: KalamClient,
  table: string,
  timeoutMs: number,
  keep: (live: LiveConnection) => void
): Promise<{ value: null; detail: string }> {
  let onInsert: ((c: LiveChange) => void) | null = null
  const t0 = performance.now()
  const live = await client.openLive({ onChange: (c) => onInsert?.(c) }, { timeoutMs })
  keep(live)
  const ack = await live.subscribe('kp_probe', `SELECT * FROM ${table}`)
  const subscribedMs = performance.now() - t0
  const seen = new Promise<LiveChange>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new ProfilerError(
            'TIMEOUT',
            `no change frame within ${NOTIFICATION_WAIT_MS} ms of the INSERT (subscription acknowledged)`
          )
        ),
      NOTIFICATION_WAIT_MS
    )
    onInsert = (c) => {
      if (c.subscriptionId !== 'kp_probe' || c.changeType !== 'insert') return
      clearTimeout(timer)
      resolve(c)
    }
  })
  seen.catch(() => undefined)
  const sent = performance.timeOrigin + performance.now()
  await client.sql(`INSERT INTO ${table} (id, body) VALUES (1, 'probe')`)
  const change = await seen
  const latency = change.receivedAt - sent
  return {
    value: null,
    detail: `subscribed in ${subscribedMs.toFixed(0)} ms (${ack.initialRows.length} initial rows); change frame ${latency.toFixed(1)} ms after the INSERT was sent`
  }
}

export async function runProbe(opts: ProbeOptions, ctx: CliContext): Promise<ProbeReport> {
  if (!opts.url)
    throw new ProfilerError('BAD_INPUT', '--url is required, e.g. --url http://127.0.0.1:8080')
  const baseUrl = opts.url
  const credentials = await resolveCredentials(opts, ctx)
  const probe = new Probe(ctx, opts.json ?? false)
  const report: ProbeReport = {
    url: baseUrl,
    ok: false,
    steps: probe.steps,
    version: null,
    user: null,
    role: null,
    stats: null,
    limits: null
  }
  if (!opts.json) ctx.stdout.write(`KalamDB probe of ${baseUrl}\n`)
  const pool = new HttpPool(baseUrl, { maxSockets: 2, timeoutMs: opts.timeout })
  let client: KalamClient | null = null
  let live: LiveConnection | null = null
  let namespace: string | null = null
  try {
    const call = { signal: ctx.signal }
    await probe.step('health', true, async () => {
      try {
        const h = await getHealth(pool, call)
        report.version = h.version
        return {
          value: null,
          detail: `${h.status}, KalamDB ${h.version ?? '(version not reported)'}${h.apiVersion ? ` (API ${h.apiVersion})` : ''}`
        }
      } catch (e) {
        // /health answers only to localhost; a remote server is still worth probing.
        if (isKalamError(e) && e.httpStatus === 403) {
          return { value: null, detail: 'answers only to localhost (403); continuing' }
        }
        throw e
      }
    })
    const status = await probe.step('auth status', true, async () => {
      const s = await getAuthStatus(pool, call)
      const detail =
        s.needsSetup === null
          ? 'not reported to a remote client'
          : s.needsSetup
            ? 'needs initial setup'
            : 'set up'
      return { value: s, detail }
    })
    if (status?.needsSetup) {
      if (!opts.setup || !('password' in credentials)) {
        await probe.step('setup', true, async () => {
          throw new ProfilerError(
            'SETUP_REQUIRED',
            'this server needs initial setup: rerun with --setup (creates the dba user from --user/--password)'
          )
        })
      } else {
        await probe.step('setup', true, async () => {
          await runSetup(pool, credentials.user, credentials.password, call)
          return {
            value: null,
            detail: `created dba user '${credentials.user}' and set root's password`
          }
        })
      }
    }
    client = await probe.step('login', true, async () => {
      const c = await connectKalam({
        url: baseUrl,
        credentials,
        timeoutMs: opts.timeout,
        signal: ctx.signal
      })
      report.user = c.user
      report.role = c.role
      const how = 'token' in credentials ? 'token accepted' : 'logged in'
      return {
        value: c,
        detail: `${how} as ${c.user ?? '(unknown user)'}${c.role ? ` (${c.role})` : ''}`
      }
    })
    const c = client as KalamClient
    const ns = `kp_probe_${randomBytes(4).toString('hex')}`
    const table = qualifiedTable(ns, 'probe')
    await probe.step('sql', true, async () => {
      await c.sql(createNamespaceSql(ns))
      namespace = ns
      await c.sql(
        `CREATE TABLE ${table} (id BIGINT PRIMARY KEY, body TEXT) WITH (TYPE = 'SHARED', ACCESS_LEVEL = 'PUBLIC')`
      )
      const res = await c.sql(`SELECT COUNT(*) AS cnt FROM ${table}`)
      const count = cellText(res.results[0]?.rows[0]?.[0])
      return {
        value: null,
        detail: `created ${table}; SELECT COUNT(*) = ${count ?? '?'} (server ${res.tookMs.toFixed(1)} ms, round trip ${res.elapsedMs.toFixed(1)} ms)`
      }
    })
    await probe.step('websocket', false, () =>
      liveRoundTrip(c, table, opts.timeout, (l) => (live = l))
    )
    await probe.step('stats', false, async () => {
      const s = await c.stats()
      const { raw: _raw, ...rest } = s
      report.stats = rest
      if (s.version && !report.version) report.version = s.version
      return { value: null, detail: statsDetail(s) }
    })
    await probe.step('limits', false, async () => {
      const l = await c.limits()
      report.limits = l
      return { value: null, detail: limitsDetail(l) }
    })
  } catch (e) {
    if (!(e instanceof Fatal)) throw e
    await cleanup(probe, client, live, namespace)
    finish(report, ctx, opts.json ?? false, true)
    throw e.error
  } finally {
    pool.close()
  }
  await cleanup(probe, client, live, namespace)
  finish(report, ctx, opts.json ?? false)
  return report
}

async function cleanup(
  probe: Probe,
  client: KalamClient | null,
  live: LiveConnection | null,
  namespace: string | null
): Promise<void> {
  await live?.close()
  if (client && namespace) {
    const ns = namespace
    await probe.step('cleanup', false, async () => {
      await client.sql(dropNamespaceSql(ns))
      return { value: null, detail: `dropped namespace ${ns}` }
    })
  }
  await client?.close()
}

function finish(report: ProbeReport, ctx: CliContext, json: boolean, stopped = false): void {
  const failed = report.steps.filter((s) => s.status === 'fail').length
  report.ok = failed === 0
  if (json) {
    ctx.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
    return
  }
  const total = report.steps.length
  const failedStep = report.steps.find((s) => s.status === 'fail')
  ctx.stdout.write(
    stopped && failedStep
      ? `stopped: cannot continue past the ${failedStep.name} check\n`
      : failed === 0
        ? `all ${total} checks passed\n`
        : `${failed} of ${total} checks failed\n`
  )
}

export default defineCommand<ProbeOptions>({
  name: 'probe',
  summary: 'check a server end to end: health, version, auth, SQL, WebSocket, stats, limits',
  details: [
    'Each check prints one line: pass/FAIL, its time, what came back. The SQL and WebSocket',
    'checks use a temporary namespace (kp_probe_<random>) with one SHARED table, dropped at',
    'the end. Exit 0 all passed, 1 some check failed, 2 could not continue (unreachable, not',
    'KalamDB, setup needed, login refused, SQL failing).',
    'Examples:',
    '  kalam-profiler probe --url http://127.0.0.1:8080 --user admin --password kalamdb123',
    '  KALAMDB_TOKEN=… kalam-profiler probe --url http://127.0.0.1:8080 --json'
  ].join('\n'),
  options: [
    { flags: '--url <url>', description: 'base URL of the KalamDB server', parse: url },
    ...authOptions,
    {
      flags: '--setup',
      description: 'when the server needs its initial setup, run it with --user/--password'
    },
    { flags: '--json', description: 'print one JSON object of the steps' },
    {
      flags: '--timeout <duration>',
      description: 'limit for each request',
      parse: durationInRange(100, 300_000, 'timeout'),
      default: 10_000,
      defaultDescription: '10s'
    }
  ],
  async run(_args, opts, ctx) {
    const report = await runProbe(opts, ctx)
    return report.ok ? 0 : 1
  }
})
