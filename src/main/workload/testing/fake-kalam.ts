/**
 * An in-memory KalamClient for unit tests of the workload engine and the runner: inserts
 * land in a table and fan out to live connections as change frames, 429s and failures can be
 * injected, every SQL text is recorded. Typed by the client's contract, so it cannot drift.
 */
import { ProfilerError } from '../../../shared/errors'
import type {
  ConnectOptions,
  FlushOutcome,
  Health,
  KalamClient,
  KalamError,
  LiveConnection,
  LiveHandlers,
  ServerLimits,
  ServerStats,
  SqlOutcome,
  SqlResponse,
  SubscriptionAck
} from '../../target/types'

export interface FakeServerOptions {
  limits?: Partial<ServerLimits>
  /** Answer every n-th insert with 429 (0 = never). */
  rateLimitEvery?: number
  /** Fail every n-th insert with a 500 (0 = never). */
  failEvery?: number
  /** Delay of each answer (ms). */
  delayMs?: number
  /** Deliver only this share of change notifications (1 = all). */
  deliverRatio?: number
  /** The server keeps this many closed WebSocket sessions counted (a leak). */
  leakSessions?: boolean
  /** Stats report no job figures. */
  noJobFigures?: boolean
  /** What `SELECT COUNT(*) … FROM system.jobs …` answers; undefined = no rows. */
  jobsListed?: number
  role?: string
  passwords?: Record<string, string>
  /** RSS grows by this much per inserted row (a leak). */
  leakBytesPerRow?: number
}

export class FakeKalamServer {
  readonly sqlLog: string[] = []
  /**
   * Every request the server saw (SQL, stats, a WebSocket opened) and every WebSocket still
   * open, with its time: what KalamDB would count as activity blocking its idle trim.
   */
  readonly activity: { t: number; what: string; openSockets: number }[] = []
  readonly users = new Set<string>()
  rows = 0
  inserts = 0
  private liveConns = new Set<FakeLive>()
  closedSessions = 0
  rssBytes = 100 * 1024 * 1024
  down = false
  flushes = 0

  constructor(readonly options: FakeServerOptions = {}) {}

  connect = async (o: ConnectOptions): Promise<KalamClient> => {
    if (this.down) throw new ProfilerError('UNREACHABLE', `cannot reach ${o.url}`)
    const creds = o.credentials
    let user: string
    if ('token' in creds) user = 'token-user'
    else {
      const known = this.options.passwords?.[creds.user]
      const created = this.users.has(creds.user)
      if (!created && known !== undefined && known !== creds.password)
        throw new ProfilerError('AUTH_FAILED', `wrong password for ${creds.user}`)
      user = creds.user
    }
    const role = this.users.has(user) ? 'service' : (this.options.role ?? 'dba')
    return new FakeClient(this, o.url, user, role)
  }

  get sessions(): number {
    let n = 0
    for (const c of this.liveConns) if (c.open) n++
    return n + (this.options.leakSessions ? this.closedSessions : 0)
  }

  get subscriptions(): number {
    let n = 0
    for (const c of this.liveConns) n += c.subs.size
    return n
  }

  register(c: FakeLive): void {
    this.liveConns.add(c)
    this.touch('websocket')
  }

  touch(what: string): void {
    let open = 0
    for (const c of this.liveConns) if (c.open) open++
    this.activity.push({ t: Date.now(), what, openSockets: open })
  }

  unregister(c: FakeLive): void {
    this.liveConns.delete(c)
    this.closedSessions++
  }

  /** Drops every live connection as a crashing server would (code 1006). */
  crash(): void {
    this.down = true
    for (const c of [...this.liveConns]) c.serverClose(1006, '')
  }

  fanOut(rows: Record<string, unknown>[]): void {
    const ratio = this.options.deliverRatio ?? 1
    for (const c of this.liveConns) {
      for (const id of c.subs) {
        for (const row of rows) {
          if (ratio < 1 && Math.random() >= ratio) continue
          c.deliver(id, row)
        }
      }
    }
  }
}

const ok = (rowCount = 0, rows: unknown[][] = []): SqlResponse => ({
  results: [{ schema: [], rows: rows as SqlResponse['results'][number]['rows'], rowCount }],
  tookMs: 0.1,
  elapsedMs: 0.2
})

function kalamError(
  code: ProfilerError['code'],
  message: string,
  httpStatus: number | null
): KalamError {
  return Object.assign(new ProfilerError(code, message), { httpStatus, serverCode: null })
}

class FakeClient implements KalamClient {
  private closed = false
  constructor(
    private readonly server: FakeKalamServer,
    readonly url: string,
    readonly user: string,
    readonly role: string
  ) {}

  async health(): Promise<Health> {
    if (this.server.down) throw new ProfilerError('UNREACHABLE', 'down')
    return { status: 'healthy', version: '0.4.3-fake', apiVersion: 'v1', buildDate: '2026-01-01' }
  }

  async sql(sql: string): Promise<SqlResponse> {
    const out = await this.trySql(sql)
    if (!out.ok) throw out.error
    return out.response
  }

  async trySql(sql: string, options: { signal?: AbortSignal } = {}): Promise<SqlOutcome> {
    const s = this.server
    s.sqlLog.push(sql)
    s.touch('sql')
    if (s.options.delayMs) await new Promise((r) => setTimeout(r, s.options.delayMs))
    if (options.signal?.aborted)
      return { ok: false, error: kalamError('CANCELLED', 'aborted', null) }
    if (s.down) return { ok: false, error: kalamError('UNREACHABLE', 'connection refused', null) }
    const create = /^CREATE USER '([^']+)'/.exec(sql)
    if (create) {
      if (this.role !== 'dba' && this.role !== 'system')
        return { ok: false, error: kalamError('SERVER_ERROR', 'permission denied', 403) }
      s.users.add(create[1]!)
      return { ok: true, response: ok() }
    }
    const drop = /^DROP USER '([^']+)'/.exec(sql)
    if (drop) {
      s.users.delete(drop[1]!)
      return { ok: true, response: ok() }
    }
    if (sql.includes('FROM system.jobs')) {
      const n = s.options.jobsListed
      return {
        ok: true,
        response: ok(n === undefined ? 0 : 1, n === undefined ? [] : [[String(n)]])
      }
    }
    if (sql.startsWith('INSERT')) {
      s.inserts++
      const every = s.options.rateLimitEvery ?? 0
      if (every > 0 && s.inserts % every === 0)
        return { ok: false, error: kalamError('RATE_LIMITED', 'Too many queries per second', 429) }
      const failEvery = s.options.failEvery ?? 0
      if (failEvery > 0 && s.inserts % failEvery === 0)
        return { ok: false, error: kalamError('SERVER_ERROR', 'internal', 500) }
      const rows = [...sql.matchAll(/\((\d+), (\d+), (\d+), '[^']*'\)/g)].map((m) => ({
        id: m[1],
        writer: Number(m[2]),
        sent_us: m[3],
        payload: 'x'
      }))
      s.rows += rows.length
      s.rssBytes += rows.length * (s.options.leakBytesPerRow ?? 0)
      s.fanOut(rows)
      return { ok: true, response: ok(rows.length) }
    }
    return { ok: true, response: ok() }
  }

  async stats(): Promise<ServerStats> {
    const s = this.server
    s.touch('stats')
    if (s.down) throw new ProfilerError('UNREACHABLE', 'down')
    const stats: ServerStats = {
      polledAt: Date.now(),
      raw: {},
      memoryBytes: s.rssBytes,
      rssBytes: s.rssBytes,
      cpuPercent: 5,
      pid: 4242,
      websocketSessions: s.sessions,
      activeSubscriptions: s.subscriptions,
      version: '0.4.3-fake'
    }
    if (!s.options.noJobFigures)
      Object.assign(stats, { jobsQueued: 0, jobsRunning: 0, jobsFailed: 0 })
    return stats
  }

  async settings(): Promise<Record<string, string>> {
    return {}
  }

  async limits(): Promise<ServerLimits> {
    return {
      maxQueriesPerSec: 100000,
      maxSubscriptionsPerUser: 100000,
      maxMessagesPerSec: 10000,
      maxAuthRequestsPerIpPerSec: 100000,
      defaultQueryLimit: 50,
      maxQueryLimit: 1000,
      clientTimeoutSecs: 10,
      ...this.server.options.limits
    }
  }

  async flushTable(): Promise<FlushOutcome> {
    this.server.flushes++
    return { status: 'completed', jobId: `FL-${this.server.flushes}`, durationMs: 1, message: 'ok' }
  }

  async openLive(handlers: LiveHandlers = {}): Promise<LiveConnection> {
    if (this.server.down) throw new ProfilerError('UNREACHABLE', 'down')
    const c = new FakeLive(this.server, handlers, this.user, this.role)
    this.server.register(c)
    return c
  }

  async close(): Promise<void> {
    this.closed = true
  }
}

export class FakeLive implements LiveConnection {
  open = true
  framesReceived = 0
  protocolErrors = 0
  readonly subs = new Set<string>()
  constructor(
    private readonly server: FakeKalamServer,
    private readonly handlers: LiveHandlers,
    readonly user: string,
    readonly role: string
  ) {}

  async subscribe(id: string): Promise<SubscriptionAck> {
    this.subs.add(id)
    return { subscriptionId: id, schema: [], lastSeqId: null, initialRows: [] }
  }

  unsubscribe(id: string): void {
    this.subs.delete(id)
  }

  deliver(id: string, row: Record<string, unknown>): void {
    // Asynchronous like a socket: arrives after the insert's answer.
    setImmediate(() => {
      if (!this.open) return
      this.framesReceived++
      this.handlers.onChange?.({
        subscriptionId: id,
        changeType: 'insert',
        rows: [row],
        receivedAt: performance.timeOrigin + performance.now()
      })
    })
  }

  serverClose(code: number, reason: string): void {
    if (!this.open) return
    this.open = false
    this.subs.clear()
    this.server.unregister(this)
    this.handlers.onClose?.({ code, reason, expected: false })
  }

  async close(): Promise<void> {
    if (!this.open) return
    this.open = false
    this.subs.clear()
    this.server.unregister(this)
    this.handlers.onClose?.({ code: 1000, reason: '', expected: true })
  }
}
