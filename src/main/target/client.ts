/**
 * `connectKalam`: the KalamDB client the workload engine, scenarios, `probe` and `bench`
 * use (contract in ./types.ts). It checks that the URL is KalamDB, logs in (running the
 * first-time setup when asked), then offers SQL over a bounded keep-alive pool, the
 * server's figures, flushes and live WebSockets — all per PROTOCOL.md.
 */
import type {
  ConnectOptions,
  FlushOutcome,
  Health,
  KalamClient,
  LiveConnection,
  LiveHandlers,
  LiveOptions,
  LiveQueries,
  ServerLimits,
  ServerStats,
  SqlOptions,
  SqlOutcome,
  SqlResponse,
  StatsOptions
} from './types'
import { TokenManager, authenticate, getHealth } from './auth'
import { KalamClientError, isKalamError } from './errors'
import { flushTable } from './flush'
import { type HttpRequest, type HttpResponse, HttpPool } from './http'
import { LiveSocket } from './live'
import { LIVE_COUNT_SQL, LIVE_QUERIES_SQL, countOf, parseLiveQueries } from './live-queries'
import { SQL_PATH, parseSqlResponse, sqlRequestBody } from './sql'
import {
  ALL_SETTINGS_SQL,
  DEFAULT_STATS_METRICS,
  limitsSql,
  nameValueMap,
  parseLimits,
  parseServerStats,
  statsSql
} from './stats'

class Client implements KalamClient {
  private readonly live = new Set<LiveConnection>()
  private closed = false

  constructor(
    readonly url: string,
    private readonly pool: HttpPool,
    private readonly tokens: TokenManager,
    private readonly timeoutMs: number | undefined
  ) {}

  get user(): string | null {
    return this.tokens.current.user
  }

  get role(): string | null {
    return this.tokens.current.role
  }

  health(): Promise<Health> {
    return getHealth(this.pool)
  }

  sql(sql: string, options: SqlOptions = {}): Promise<SqlResponse> {
    const token = this.tokens.fresh()
    if (token === null) {
      return this.tokens.token(options.signal).then((t) => this.sendSql(sql, options, t))
    }
    return this.sendSql(sql, options, token)
  }

  private sendSql(sql: string, options: SqlOptions, bearer: string): Promise<SqlResponse> {
    return this.pool.exchange(this.sqlRequest(sql, options, bearer), this.readSql, (e) => {
      // Expired between our check and the server's (clock skew, a revoked refresh): renew once.
      if (isKalamError(e) && e.code === 'TOKEN_EXPIRED') return this.afterExpiry(sql, options)
      throw e
    })
  }

  /** Renews the token the server called expired and sends once more. */
  private afterExpiry(sql: string, options: SqlOptions): Promise<SqlResponse> {
    return this.tokens
      .renewAfterExpiry(options.signal)
      .then((t) => this.pool.exchange(this.sqlRequest(sql, options, t), this.readSql))
  }

  private sqlRequest(sql: string, options: SqlOptions, bearer: string): HttpRequest {
    const req: HttpRequest = {
      method: 'POST',
      path: SQL_PATH,
      body: sqlRequestBody(sql, options.params, options.namespace),
      bearer,
      context: 'SQL'
    }
    if (options.signal) req.signal = options.signal
    if (this.timeoutMs !== undefined) req.timeoutMs = this.timeoutMs
    return req
  }

  private readonly readSql = (res: HttpResponse): SqlResponse => parseSqlResponse(res, this.url)

  private readonly readOutcome = (res: HttpResponse): SqlOutcome => ({
    ok: true,
    response: parseSqlResponse(res, this.url)
  })

  /**
   * Every answer the server gives — and a server that stops answering — is an outcome to
   * count. Only cancellation and bugs throw. The workload's hot path: while the token is
   * fresh, one Promise per request (the pool parses the answer and maps a failure to an
   * outcome in the same step).
   */
  trySql(sql: string, options: SqlOptions = {}): Promise<SqlOutcome> {
    const token = this.tokens.fresh()
    if (token === null) return this.sql(sql, options).then(succeeded, failed)
    return this.pool.exchange(this.sqlRequest(sql, options, token), this.readOutcome, (e) => {
      if (isKalamError(e) && e.code === 'TOKEN_EXPIRED') {
        return this.afterExpiry(sql, options).then(succeeded, failed)
      }
      return failed(e)
    })
  }

  /**
   * Polls system.stats. Each call makes KalamDB spawn `lsof` and blocks its idle memory
   * trim: callers poll per phase, at MIN_STATS_POLL_INTERVAL_MS or slower.
   */
  async stats(
    names: string[] = [...DEFAULT_STATS_METRICS],
    options: StatsOptions = {}
  ): Promise<ServerStats> {
    // The system.live count rides in the same request: no second unit of server activity.
    const sql = options.liveQueries ? `${statsSql(names)}; ${LIVE_COUNT_SQL}` : statsSql(names)
    const response = await this.sql(sql)
    const stats = parseServerStats(nameValueMap(response), Date.now())
    const live = options.liveQueries ? countOf(response.results[1]) : undefined
    if (live !== undefined) stats.liveQueries = live
    return stats
  }

  async liveQueries(): Promise<LiveQueries> {
    return parseLiveQueries(await this.sql(LIVE_QUERIES_SQL), Date.now())
  }

  async settings(): Promise<Record<string, string>> {
    return nameValueMap(await this.sql(ALL_SETTINGS_SQL))
  }

  async limits(): Promise<ServerLimits> {
    return parseLimits(nameValueMap(await this.sql(limitsSql())))
  }

  flushTable(
    table: string,
    options: { timeoutMs?: number; signal?: AbortSignal } = {}
  ): Promise<FlushOutcome> {
    return flushTable(
      {
        sql: (text, signal) => this.sql(text, signal ? { signal } : {}),
        trySql: async (text, signal) => {
          const outcome = await this.trySql(text, signal ? { signal } : {})
          return outcome.ok ? outcome.response : null
        }
      },
      table,
      options
    )
  }

  async openLive(handlers: LiveHandlers = {}, options: LiveOptions = {}): Promise<LiveConnection> {
    if (this.closed) throw new KalamClientError('CANCELLED', 'WebSocket: client is closed')
    const token = await this.tokens.token()
    let socket: LiveSocket | null = null
    const tracked: LiveHandlers = {
      ...handlers,
      // Forget a connection once it is closed, whoever closed it.
      onClose: (close) => {
        if (socket) this.live.delete(socket)
        handlers.onClose?.(close)
      }
    }
    socket = await LiveSocket.connect(this.url, token, tracked, {
      ...(this.timeoutMs === undefined ? {} : { timeoutMs: this.timeoutMs }),
      ...options
    })
    this.live.add(socket)
    return socket
  }

  async close(): Promise<void> {
    this.closed = true
    await Promise.all([...this.live].map((l) => l.close()))
    this.live.clear()
    this.pool.close()
  }
}

function succeeded(response: SqlResponse): SqlOutcome {
  return { ok: true, response }
}

function failed(e: unknown): SqlOutcome {
  if (isKalamError(e) && e.code !== 'CANCELLED') return { ok: false, error: e }
  throw e
}

/**
 * Connects to a KalamDB server: checks it is KalamDB (GET /v1/api/auth/status), runs the
 * first-time setup when `setup` is set and the server needs it, logs in (or takes the
 * user's token as given), and returns a client whose token refreshes itself.
 */
export async function connectKalam(options: ConnectOptions): Promise<KalamClient> {
  const pool = new HttpPool(options.url, {
    ...(options.maxSockets === undefined ? {} : { maxSockets: options.maxSockets }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs })
  })
  try {
    const tokens = await authenticate(pool, options.credentials, {
      ...(options.setup === undefined ? {} : { setup: options.setup }),
      ...(options.signal ? { signal: options.signal } : {})
    })
    return new Client(
      pool.baseUrl,
      pool,
      new TokenManager(pool, options.credentials, tokens),
      options.timeoutMs
    )
  } catch (e) {
    pool.close()
    throw e
  }
}
