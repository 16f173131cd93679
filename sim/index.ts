/**
 * The KalamDB simulator: a protocol-faithful stand-in for `kalamdb-server` (PROTOCOL.md) with
 * switchable faults, for tests, demos and benchmarks. Started by `kalam-profiler sim`; the
 * product never imports it (it must talk to KalamDB over the wire only).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { defaultConfig, type SimConfig } from './config'
import { Engine } from './engine/engine'
import { LeakPool } from './faults'
import { GcPolicy } from './gc'
import { Tokens } from './server/auth'
import { HttpApi } from './server/http'
import { sendJson } from './server/http-util'
import { LiveQueries } from './server/live'
import { ProcessMetrics } from './server/metrics'
import { KeyedLimiter } from './server/rate-limit'
import { registerSystemViews } from './server/system-views'
import { WsServer } from './server/ws'

export { defaultConfig, type SimConfig, type SimFaults } from './config'

export interface Simulator {
  /** `http://host:port` */
  url: string
  host: string
  port: number
  pid: number
  /** The data directory it owns (removed by close()). */
  dataDir: string
  /** Bytes retained by the leak faults so far (ground truth for tests). */
  leakedBytes(): number
  /** Graceful shutdown like KalamDB on SIGINT: WS close 1001, wait for jobs, remove the data dir. */
  close(): Promise<void>
}

/** KalamDB's idle trim (PROTOCOL.md §8): checked every 30 s, after ≥ 60 s without activity. */
const IDLE_CHECK_MS = 30_000
const IDLE_AFTER_MS = 60_000

export async function startSimulator(overrides: Partial<SimConfig> = {}): Promise<Simulator> {
  const config = defaultConfig(overrides)
  const parent = config.dataParent ?? tmpdir()
  removeStaleDataDirs(parent)
  const dataDir = mkdtempSync(join(parent, `kalamdb-sim-${process.pid}-`))
  const leak = new LeakPool()
  let lastActivity = Date.now()
  const touch = (): void => {
    lastActivity = Date.now()
  }
  // eslint-disable-next-line prefer-const
  let ws: WsServer
  const live = new LiveQueries(
    config.faults.dropNotificationsRatio,
    config.faults.leakBytesPerSubscription,
    leak
  )
  const engine = new Engine({
    dataDir,
    limits: { defaultLimit: config.defaultQueryLimit, maxLimit: config.maxQueryLimit },
    flushRows: config.flushRows,
    flushIntervalMs: config.flushIntervalMs,
    onChange: (c) => live.onChange(c),
    onRowsInserted: (n) => leak.retain(n * config.faults.leakBytesPerInsert),
    killLive: (id) => ws.kill(id)
  })
  if (config.configured) {
    engine.createUser(config.configured.user, config.configured.password, 'dba', null)
    engine.setPassword('root', config.configured.password)
  }
  const tokens = new Tokens(config.tokenTtlMs)
  const authLimiter = new KeyedLimiter(config.maxAuthRequestsPerSec)
  ws = new WsServer({ config, engine, tokens, live, leak, authLimiter, touch })
  const api = new HttpApi({ config, engine, tokens, authLimiter, touch })
  let shuttingDown = false
  const server: Server = createServer({ keepAliveTimeout: 5000 }, (req, res) => {
    if (!shuttingDown) return api.handle(req, res)
    req.resume()
    sendJson(res, 503, { error: 'SERVICE_UNAVAILABLE', message: 'Server is shutting down' })
  })
  server.on('upgrade', (req, socket, head) => {
    if ((req.url ?? '').split('?')[0] === '/v1/ws') ws.handleUpgrade(req, socket, head)
    else socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
  })
  server.on('clientError', (_e, socket) => socket.destroy())
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(config.port, config.host, () => resolve())
    })
  } catch (e) {
    await ws.shutdown()
    rmSync(dataDir, { recursive: true, force: true })
    throw e
  }
  const port = (server.address() as AddressInfo).port
  const host = config.host
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  const metrics = new ProcessMetrics()
  const startedAt = Date.now()
  registerSystemViews({
    config,
    engine,
    live,
    ws,
    metrics,
    startedAt,
    dataDir,
    port: () => port,
    planCacheSize: () => api.sqlEndpoint.planCache.size
  })

  const timers: NodeJS.Timeout[] = []
  timers.push(setInterval(() => engine.tick(), config.flushCheckIntervalMs))
  const gc = exposeGc()
  // A Rust server's RSS is flat under steady load; V8's lazy collection and its young
  // generation's resizing would add swings of tens of MiB that read as growth (see gc.ts).
  const gcPolicy =
    config.gcIntervalMs > 0 && gc
      ? new GcPolicy({ gc, intervalMs: config.gcIntervalMs, lastActivity: () => lastActivity })
      : null
  gcPolicy?.start()
  timers.push(
    setInterval(() => {
      if (
        ws.activeConnections === 0 &&
        live.activeSubscriptions === 0 &&
        Date.now() - lastActivity >= IDLE_AFTER_MS
      ) {
        // Like KalamDB's idle trim: drop the plan cache and give memory back (mi_collect there).
        api.sqlEndpoint.planCache.clear()
        gc?.()
      }
    }, IDLE_CHECK_MS)
  )
  let lastDropped = 0
  timers.push(
    setInterval(() => {
      if (live.notificationsDropped > lastDropped) {
        config.log?.(
          `WARN Notification channel full or dropped: ${live.notificationsDropped - lastDropped} notification(s) dropped in the last 5 s`
        )
        lastDropped = live.notificationsDropped
      }
    }, 5000)
  )
  if (config.faults.crashAfterMs > 0) {
    timers.push(
      setTimeout(() => {
        config.log?.('FATAL simulated crash (--crash-after)')
        // A crash: no graceful shutdown, no cleanup, killed by a signal.
        process.kill(process.pid, 'SIGKILL')
      }, config.faults.crashAfterMs)
    )
  }
  for (const t of timers) t.unref()

  let closing: Promise<void> | undefined
  return {
    url,
    host,
    port,
    pid: process.pid,
    dataDir,
    leakedBytes: () => leak.total,
    close() {
      closing ??= (async () => {
        shuttingDown = true
        for (const t of timers) clearInterval(t)
        gcPolicy?.stop()
        const closed = new Promise<void>((resolve) => server.close(() => resolve()))
        server.closeIdleConnections()
        await ws.shutdown()
        await engine.jobs.drain(5000)
        server.closeAllConnections()
        await closed
        rmSync(dataDir, { recursive: true, force: true })
      })()
      return closing
    }
  }
}

/** `global.gc` without starting node with --expose-gc (used only by the idle trim). */
function exposeGc(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc')
    return runInNewContext('gc') as () => void
  } catch {
    return undefined
  }
}

/**
 * A simulator that crashed (--crash-after, SIGKILL) could not remove its data directory; the
 * next one to start removes those whose process is gone, so crash tests leave nothing behind.
 */
function removeStaleDataDirs(parent: string): void {
  let names: string[]
  try {
    names = readdirSync(parent)
  } catch {
    return
  }
  for (const name of names) {
    const m = /^kalamdb-sim-(\d+)-[A-Za-z0-9]{6}$/.exec(name)
    if (!m || isAlive(Number(m[1]))) continue
    rmSync(join(parent, name), { recursive: true, force: true })
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}
