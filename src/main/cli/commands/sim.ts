/**
 * `kalam-profiler sim`: starts the KalamDB simulator (sim/) in this process, discoverable
 * like a real server (process title `kalamdb-server`), until SIGINT.
 */
import { ProfilerError } from '../../../shared/errors'
import { defineCommand } from '../command'
import { durationInRange, intInRange, numberInRange, port } from '../parse-options'

interface SimOptions {
  port: number
  host: string
  json?: boolean
  configured?: { user: string; password: string }
  dataDir?: string
  tokenTtl: number
  maxSqlPerSec: number
  maxSubscriptionsPerUser: number
  maxWsMessagesPerSec: number
  maxAuthPerSec: number
  rateLimits: boolean
  wsClientTimeout: number
  wsAuthTimeout: number
  flushRows: number
  flushInterval: number
  leakBytesPerInsert: number
  leakBytesPerSubscription: number
  leakConnections?: boolean
  slowQueryMs: number
  crashAfter?: number
  dropNotificationsRatio: number
}

/** What `--no-rate-limits` sets every limit to (the repo's server.toml uses 100000-200000). */
const UNLIMITED = 1_000_000

function credentials(v: string): { user: string; password: string } {
  const i = v.indexOf(':')
  if (i <= 0 || i === v.length - 1) {
    // Never echo the value: it holds a password.
    throw new ProfilerError(
      'BAD_INPUT',
      'invalid credentials: expected USER:PASSWORD, e.g. admin:kalamdb123'
    )
  }
  const user = v.slice(0, i)
  const password = v.slice(i + 1)
  if (!/^[A-Za-z0-9_.@-]{1,128}$/.test(user) || user === 'root') {
    throw new ProfilerError(
      'BAD_INPUT',
      `invalid user '${user}': letters, digits, _ . @ - (not root)`
    )
  }
  if (password.length < 8)
    throw new ProfilerError('BAD_INPUT', 'invalid password: at least 8 characters')
  return { user, password }
}

function host(v: string): string {
  if (!/^[A-Za-z0-9.:-]+$/.test(v))
    throw new ProfilerError('BAD_INPUT', `invalid host '${v}': expected an address like 127.0.0.1`)
  return v
}

const count = (what: string): ((v: string) => number) => intInRange(1, 100_000_000, what)
const bytes = intInRange(0, 1024 * 1024 * 1024, 'byte count')

export default defineCommand<SimOptions>({
  name: 'sim',
  summary:
    'start the KalamDB simulator (fresh = needs setup, like a new real server, unless --configured)',
  details: [
    'Examples:',
    '  kalam-profiler sim --configured admin:kalamdb123',
    '  kalam-profiler sim --port 0 --json --configured admin:kalamdb123 --leak-bytes-per-insert 2048',
    '',
    'Defaults are KalamDB 0.4.3 defaults: 100 SQL/s per user, 10 subscriptions per user,',
    '50 WebSocket frames/s per connection, 10 s WebSocket silence timeout. Stop with Ctrl-C.'
  ].join('\n'),
  options: [
    { flags: '--port <port>', description: 'port (0 = a free port)', parse: port, default: 0 },
    { flags: '--host <host>', description: 'listen address', parse: host, default: '127.0.0.1' },
    { flags: '--json', description: 'print one JSON line {"url","pid"} once listening' },
    {
      flags: '--configured <user:password>',
      description: 'start already set up with this dba user (root gets the same password)',
      parse: credentials
    },
    {
      flags: '--data-dir <dir>',
      description: 'create the data directory inside this folder (default: the system temp folder)'
    },
    {
      flags: '--token-ttl <duration>',
      description: 'access token lifetime (refresh tokens: 7×)',
      parse: durationInRange(100, 365 * 86_400_000, 'token lifetime'),
      default: 24 * 3_600_000,
      defaultDescription: '24h'
    },
    {
      flags: '--max-sql-per-sec <n>',
      description: 'SQL requests per second per user, 429 beyond (rate_limit.max_queries_per_sec)',
      parse: count('rate'),
      default: 100
    },
    {
      flags: '--max-subscriptions-per-user <n>',
      description: 'live subscriptions per user',
      parse: count('subscription count'),
      default: 10
    },
    {
      flags: '--max-ws-messages-per-sec <n>',
      description: 'inbound WebSocket frames per second per connection',
      parse: count('rate'),
      default: 50
    },
    {
      flags: '--max-auth-per-sec <n>',
      description: 'login/setup/refresh/WS-auth requests per second per IP',
      parse: count('rate'),
      default: 20
    },
    { flags: '--no-rate-limits', description: `set every rate limit above to ${UNLIMITED}` },
    {
      flags: '--ws-client-timeout <duration>',
      description: 'close WebSockets with no inbound frame for this long',
      parse: durationInRange(100, 86_400_000, 'timeout'),
      default: 10_000,
      defaultDescription: '10s'
    },
    {
      flags: '--ws-auth-timeout <duration>',
      description: 'close WebSockets that do not authenticate within this',
      parse: durationInRange(100, 86_400_000, 'timeout'),
      default: 3000,
      defaultDescription: '3s'
    },
    {
      flags: '--flush-rows <n>',
      description: 'automatic flush after this many buffered rows per table partition',
      parse: count('row count'),
      default: 10_000
    },
    {
      flags: '--flush-interval <duration>',
      description: 'automatic flush of rows buffered longer than this',
      parse: durationInRange(100, 86_400_000, 'interval'),
      default: 300_000,
      defaultDescription: '5m'
    },
    {
      flags: '--leak-bytes-per-insert <bytes>',
      description: 'fault: retain this many bytes per inserted row',
      parse: bytes,
      default: 0
    },
    {
      flags: '--leak-bytes-per-subscription <bytes>',
      description: 'fault: retain this many bytes per subscription (never freed)',
      parse: bytes,
      default: 0
    },
    {
      flags: '--leak-connections',
      description: 'fault: closed WebSocket sessions stay counted and keep 64 KiB each'
    },
    {
      flags: '--slow-query-ms <ms>',
      description: 'fault: delay every SQL response by this many ms',
      parse: intInRange(0, 600_000, 'delay'),
      default: 0
    },
    {
      flags: '--crash-after <duration>',
      description: 'fault: die like a crash (SIGKILL, no cleanup) after this long',
      parse: durationInRange(1, 30 * 86_400_000, 'duration')
    },
    {
      flags: '--drop-notifications-ratio <ratio>',
      description: 'fault: silently drop this fraction of live notifications (0..1)',
      parse: numberInRange(0, 1, 'ratio'),
      default: 0
    }
  ],
  async run(_args, o, ctx) {
    const { startSimulator } = await import('../../../../sim/index')
    const limit = (n: number): number => (o.rateLimits ? n : UNLIMITED)
    const sim = await listenOrExplain(o.host, o.port, () =>
      startSimulator({
        host: o.host,
        port: o.port,
        ...(o.configured ? { configured: o.configured } : {}),
        ...(o.dataDir ? { dataParent: o.dataDir } : {}),
        tokenTtlMs: o.tokenTtl,
        maxQueriesPerSec: limit(o.maxSqlPerSec),
        maxSubscriptionsPerUser: limit(o.maxSubscriptionsPerUser),
        maxMessagesPerSec: limit(o.maxWsMessagesPerSec),
        maxAuthRequestsPerSec: limit(o.maxAuthPerSec),
        wsClientTimeoutMs: o.wsClientTimeout,
        wsAuthTimeoutMs: o.wsAuthTimeout,
        flushRows: o.flushRows,
        flushIntervalMs: o.flushInterval,
        faults: {
          leakBytesPerInsert: o.leakBytesPerInsert,
          leakBytesPerSubscription: o.leakBytesPerSubscription,
          leakConnections: o.leakConnections ?? false,
          slowQueryMs: o.slowQueryMs,
          crashAfterMs: o.crashAfter ?? 0,
          dropNotificationsRatio: o.dropNotificationsRatio
        },
        log: (line) => ctx.stderr.write(`${line}\n`)
      })
    )
    // Named like the real server once it serves, so discovery finds it the same way.
    process.title = 'kalamdb-server'
    if (o.json) ctx.stdout.write(`${JSON.stringify({ url: sim.url, pid: sim.pid })}\n`)
    else {
      ctx.stdout.write(
        `KalamDB simulator (as kalamdb-server 0.4.3-rc.4) listening on ${sim.url} (pid ${sim.pid})\n` +
          (o.configured
            ? `Set up with dba user '${o.configured.user}'. `
            : 'Needs initial setup, like a new server: POST /v1/api/auth/setup (or restart with --configured USER:PASSWORD). ') +
          'Ctrl-C to stop.\n'
      )
    }
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve()
      ctx.signal.addEventListener('abort', () => resolve(), { once: true })
    })
    await sim.close()
    return 0
  }
})

/** A port that cannot be taken is bad input, said in one line (not an internal error). */
async function listenOrExplain<T>(host: string, port: number, start: () => Promise<T>): Promise<T> {
  try {
    return await start()
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE') {
      throw new ProfilerError('BAD_INPUT', `port ${port} on ${host} is already in use`, {
        hint: 'use --port 0 for a free port'
      })
    }
    if (code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new ProfilerError('BAD_INPUT', `cannot listen on ${host}:${port} (${code})`)
    }
    throw e
  }
}
