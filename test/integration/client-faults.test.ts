/**
 * Each simulator fault driven through the real KalamDB client (`connectKalam`: sql/trySql,
 * live queries, stats()), checked against its ground truth (issue 4): the flag's number
 * times what the client did, read from outside in /proc/PID/status of the simulator process
 * (RssAnon) and from what the client reports. Lower bounds only: nothing here asserts that
 * something was fast.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { connectKalam } from '../../src/main/target/client'
import type { KalamClient, LiveChange, LiveClose } from '../../src/main/target/types'
import { rssAnon } from '../../sim/testing/client'
import { type RunningSim, SIM_PASSWORD, SIM_USER, startSim } from '../helpers/sim'
import { until } from '../helpers/until'

const ADMIN = { user: SIM_USER, password: SIM_PASSWORD }
const MIB = 1024 * 1024
/** What the simulator keeps per leaked WebSocket session (sim/server/ws.ts, LEAKED_CONNECTION_BYTES). */
const LEAKED_CONNECTION_BYTES = 64 * 1024
const TABLE_SQL =
  "CREATE TABLE app.t (id BIGINT PRIMARY KEY DEFAULT SNOWFLAKE_ID(), v TEXT) WITH (TYPE = 'SHARED', ACCESS_LEVEL = 'PUBLIC')"

/** Resources a test opened, closed after it whatever happens. */
const opened: { close(): Promise<void> }[] = []
const sims: RunningSim[] = []

afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()))
})

afterAll(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()))
  await Promise.all(sims.splice(0).map((s) => s.stop()))
})

async function sim(args: string[]): Promise<RunningSim> {
  const s = await startSim({ args })
  sims.push(s)
  return s
}

/** A client for a whole describe block: its afterAll closes it (before the simulators stop). */
function connect(url: string): Promise<KalamClient> {
  return connectKalam({ url, credentials: ADMIN })
}

async function withTable(c: KalamClient): Promise<void> {
  await c.sql('CREATE NAMESPACE IF NOT EXISTS app')
  await c.sql(TABLE_SQL)
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

/** Polls (bounded) until `check` holds for what `get` returns; returns the last value. */
async function pollFor<T>(get: () => Promise<T>, check: (v: T) => boolean, tries = 50): Promise<T> {
  let v = await get()
  for (let i = 1; i < tries && !check(v); i++) {
    await sleep(50)
    v = await get()
  }
  return v
}

/** `(v)` tuples for a multi-row INSERT: 'tag from', 'tag from+1', … */
function values(rows: number, tag: string, from = 0): string {
  return Array.from({ length: rows }, (_, i) => `('${tag} ${from + i}')`).join(', ')
}

/**
 * One subscriber through the client's live API; `m` rows inserted in batches of 100 (below
 * the per-connection queue of 128, so only the fault can drop a notification), then markers
 * until one arrives (a marker can itself be dropped). Returns the changes for the `m` rows.
 */
async function notificationsFor(c: KalamClient, m: number): Promise<LiveChange[]> {
  const changes: LiveChange[] = []
  const live = await c.openLive({ onChange: (ch) => changes.push(ch) })
  opened.push(live)
  await live.subscribe('d', 'SELECT * FROM app.t', { noInitialData: true })
  for (let n = 0; n < m; n += 100) {
    await c.sql(`INSERT INTO app.t (v) VALUES ${values(Math.min(100, m - n), 'row', n)}`)
  }
  const isMarker = (ch: LiveChange): boolean => String(ch.rows[0]?.v).startsWith('marker')
  let arrived = false
  for (let k = 0; k < 20 && !arrived; k++) {
    await c.sql(`INSERT INTO app.t (v) VALUES ('marker ${k}')`)
    arrived = await until('a marker', () => (changes.some(isMarker) ? true : undefined), 1000).then(
      () => true,
      () => false
    )
  }
  expect(arrived).toBe(true)
  expect(live.open).toBe(true)
  expect(live.protocolErrors).toBe(0)
  return changes.filter((ch) => !isMarker(ch))
}

describe('client against a simulator with the memory faults', () => {
  const PER_INSERT = 2048
  const PER_SUBSCRIPTION = MIB
  let s: RunningSim
  let c: KalamClient

  beforeAll(async () => {
    s = await sim([
      '--no-rate-limits',
      '--leak-bytes-per-insert',
      String(PER_INSERT),
      '--leak-bytes-per-subscription',
      String(PER_SUBSCRIPTION),
      '--leak-connections'
    ])
    c = await connect(s.url)
    await withTable(c)
  })

  afterAll(async () => {
    await c?.close()
  })

  it('--leak-connections: K WebSockets opened and closed by the client stay counted in stats() and keep 64 KiB each', async () => {
    const k = 400
    const warm = 20
    // Warm up (the server's first sockets, JIT) so the baseline is a running server.
    for (let i = 0; i < warm; i++) await (await c.openLive()).close()
    const before = await c.stats()
    const rssBefore = rssAnon(s.pid)
    for (let i = 0; i < k; i += 10) {
      const batch = await Promise.all(Array.from({ length: 10 }, () => c.openLive()))
      for (const live of batch) expect(live.open).toBe(true)
      await Promise.all(batch.map((live) => live.close()))
    }
    const grown = rssAnon(s.pid) - rssBefore
    // The sessions stay counted although none is open (the fault keeps them registered).
    const after = await pollFor(
      () => c.stats(),
      (st) => st.websocketSessions === before.websocketSessions! + k
    )
    expect(before.websocketSessions).toBe(warm)
    expect(after.websocketSessions).toBe(before.websocketSessions! + k)
    expect(after.activeConnections).toBe(before.activeConnections! + k)
    expect(after.websocketSessionsPeak).toBeGreaterThanOrEqual(after.websocketSessions!)
    expect(grown).toBeGreaterThanOrEqual(k * LEAKED_CONNECTION_BYTES)
  })

  it('--leak-bytes-per-subscription 1 MiB: 40 subscribe/unsubscribe through the client keep ≥ 36 MiB while the count returns to 0', async () => {
    const k = 40
    const live = await c.openLive()
    opened.push(live)
    const rssBefore = rssAnon(s.pid)
    for (let i = 0; i < k; i++) {
      const ack = await live.subscribe(`s${i}`, 'SELECT * FROM app.t', { noInitialData: true })
      expect(ack.subscriptionId).toBe(`s${i}`)
      live.unsubscribe(`s${i}`)
    }
    // An unsubscribe has no acknowledgement: wait (bounded) for the server to drop the last one.
    const stats = await pollFor(
      () => c.stats(),
      (st) => st.activeSubscriptions === 0
    )
    const grown = rssAnon(s.pid) - rssBefore
    expect(stats.activeSubscriptions).toBe(0)
    expect(stats.activeSubscriptionsPeak).toBeGreaterThanOrEqual(1)
    expect(live.open).toBe(true)
    expect(grown).toBeGreaterThanOrEqual(0.9 * PER_SUBSCRIPTION * k)
  })

  it('--leak-bytes-per-insert 2048: 50,000 rows inserted through the client grow RssAnon by ≥ 90 MiB', async () => {
    const rows = 50_000
    const batch = 500
    const text = `INSERT INTO app.t (v) VALUES ${values(batch, 'row')}`
    // Warm up (first flushes, JIT) with sql(), which throws on any failure.
    for (let i = 0; i < 4; i++) {
      expect((await c.sql(text)).results[0]).toMatchObject({ rowCount: batch })
    }
    const rssBefore = rssAnon(s.pid)
    const failures: string[] = []
    for (let n = 0; n < rows; n += batch) {
      const outcome = await c.trySql(text)
      if (!outcome.ok) failures.push(`${outcome.error.code}: ${outcome.error.message}`)
      else if (outcome.response.results[0]?.rowCount !== batch) failures.push('short insert')
    }
    const grown = rssAnon(s.pid) - rssBefore
    expect(failures).toEqual([])
    expect(grown).toBeGreaterThanOrEqual(0.9 * PER_INSERT * rows)
    expect(grown).toBeGreaterThanOrEqual(90 * MIB)
    const count = await c.sql('SELECT COUNT(*) AS n FROM app.t')
    expect(count.results[0]!.rows).toEqual([[String(rows + 4 * batch)]])
  })
})

describe('client against a clean simulator (no fault: the control)', () => {
  let c: KalamClient

  beforeAll(async () => {
    const s = await sim(['--no-rate-limits'])
    c = await connect(s.url)
    await withTable(c)
  })

  afterAll(async () => {
    await c?.close()
  })

  it('without --leak-connections, closed WebSockets leave stats() websocket_sessions', async () => {
    const k = 20
    const before = await c.stats()
    const sockets = await Promise.all(Array.from({ length: k }, () => c.openLive()))
    const during = await c.stats()
    await Promise.all(sockets.map((live) => live.close()))
    const after = await pollFor(
      () => c.stats(),
      (st) => st.websocketSessions === before.websocketSessions
    )
    expect(during.websocketSessions).toBe(before.websocketSessions! + k)
    expect(after.websocketSessions).toBe(before.websocketSessions)
  })

  it('with a drop ratio of 0, every one of M inserted rows reaches the subscriber', async () => {
    const m = 400
    const changes = await notificationsFor(c, m)
    expect(changes).toHaveLength(m)
    expect(new Set(changes.map((ch) => ch.rows[0]!.v)).size).toBe(m)
    expect(changes.every((ch) => ch.changeType === 'insert')).toBe(true)
  })
})

describe('client against a simulator dropping notifications and slowing queries', () => {
  const RATIO = 0.25
  const SLOW_MS = 250
  let c: KalamClient

  beforeAll(async () => {
    const s = await sim([
      '--no-rate-limits',
      '--drop-notifications-ratio',
      String(RATIO),
      '--slow-query-ms',
      String(SLOW_MS)
    ])
    c = await connect(s.url)
    await withTable(c)
  })

  afterAll(async () => {
    await c?.close()
  })

  it('--slow-query-ms 250: sql() and trySql() take at least 250 ms, and the server says so in took', async () => {
    const t0 = performance.now()
    const res = await c.sql('SELECT COUNT(*) AS n FROM app.t')
    const elapsed = performance.now() - t0
    expect(elapsed).toBeGreaterThanOrEqual(SLOW_MS)
    expect(res.elapsedMs).toBeGreaterThanOrEqual(SLOW_MS)
    expect(res.tookMs).toBeGreaterThanOrEqual(SLOW_MS)
    const t1 = performance.now()
    const outcome = await c.trySql("INSERT INTO app.t (v) VALUES ('slow')")
    expect(performance.now() - t1).toBeGreaterThanOrEqual(SLOW_MS)
    expect(outcome.ok).toBe(true)
  })

  it('--drop-notifications-ratio 0.25: of M inserted rows the subscriber gets fewer, about (1 − R)·M', async () => {
    const m = 400
    const changes = await notificationsFor(c, m)
    const expected = (1 - RATIO) * m
    // Generous binomial bound (5 σ); the simulator spreads its drops evenly, so it is exact there.
    const sigma = Math.sqrt(m * RATIO * (1 - RATIO))
    expect(changes.length).toBeLessThan(m)
    expect(Math.abs(changes.length - expected)).toBeLessThanOrEqual(5 * sigma)
    // What arrives is intact: distinct rows, each one of those inserted.
    expect(new Set(changes.map((ch) => ch.rows[0]!.v)).size).toBe(changes.length)
    expect(changes.every((ch) => String(ch.rows[0]!.v).startsWith('row '))).toBe(true)
  })
})

describe('client against a simulator that crashes (--crash-after)', () => {
  it('reports the open live connection closed, then trySql answers UNREACHABLE', async () => {
    const s = await sim(['--no-rate-limits', '--crash-after', '3s'])
    const exited = new Promise<string | null>((resolve) => {
      if (s.child.exitCode !== null || s.child.signalCode !== null) resolve(s.child.signalCode)
      else s.child.once('exit', (_code, signal) => resolve(signal))
    })
    const c = await connectKalam({ url: s.url, credentials: ADMIN })
    opened.push(c)
    await withTable(c)
    const closes: LiveClose[] = []
    const live = await c.openLive({ onClose: (cl) => closes.push(cl) })
    await live.subscribe('c', 'SELECT * FROM app.t', { noInitialData: true })
    // Alive before the crash: the outcome below is the crash, not a setup mistake.
    expect(await c.trySql('SELECT COUNT(*) AS n FROM app.t')).toMatchObject({ ok: true })
    const close = await until('the crash to close the socket', () => closes[0], 15_000)
    expect(await exited).toBe('SIGKILL')
    expect(close.expected).toBe(false)
    expect(close.error).toMatchObject({ code: 'DISCONNECTED' })
    expect(live.open).toBe(false)
    const outcome = await c.trySql('SELECT COUNT(*) AS n FROM app.t')
    expect(outcome.ok).toBe(false)
    expect(!outcome.ok && outcome.error).toMatchObject({ code: 'UNREACHABLE' })
    await expect(c.sql('SELECT COUNT(*) AS n FROM app.t')).rejects.toMatchObject({
      code: 'UNREACHABLE'
    })
  })
})
