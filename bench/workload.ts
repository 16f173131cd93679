/**
 * `npm run bench -- workload [--seconds N] [--rounds N] [--connections N] [--rate-seconds N] [--json]`:
 * the workload engine against the simulator's insert endpoint (its own process, rate limits
 * lifted), side by side with autocannon on the same endpoint in the same run:
 *   1. throughput: autocannon and the writer engine, same connections (one request in flight
 *      each, no pipelining), same INSERT text, same endpoint and Bearer header, in interleaved
 *      rounds (default 5 × 5 s each, the order alternating) compared by their medians, so
 *      drift of the simulator and of the shared machine falls on both; each round's own ratio
 *      is printed too (a pair runs back to back); target engine / autocannon ≥ 0.9;
 *   2. rate accuracy: the open-model writers at 1000 rows/s for 60 s (--rate-seconds): rows
 *      acknowledged against the 60,000 planned; target error < 1%;
 *   3. notification-latency measurement overhead: the cost per notification of what the
 *      subscribers do for each row (send stamp, drop accounting, HdrHistogram record) against
 *      a handler that only counts, on recorded change frames; and end-to-end notification
 *      latency at a low rate, the measurement's floor.
 * Measures and prints; never asserts (machines here are 2 noisy cores).
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import autocannon from 'autocannon'
import { median as medianOrNull } from '../src/main/analysis/growth'
import { clockTicksPerSecond } from '../src/main/sampler/sysconf'
import { connectKalam } from '../src/main/target/client'
import type { KalamClient, LiveHandlers } from '../src/main/target/types'
import { ErrorTally, createCounters } from '../src/main/workload/counters'
import { nowMs, nowUs } from '../src/main/workload/clock'
import { LatencyRecorder } from '../src/main/workload/latency'
import { createStatements, insertSql, payloadOf, runObjects } from '../src/main/workload/schema'
import { startSubscribers } from '../src/main/workload/subscribers'
import type { LiveOpener, WorkloadSink } from '../src/main/workload/types'
import { IdAllocator, startWriters } from '../src/main/workload/writers'
import { flag } from './args'

const USER = 'admin'
const PASSWORD = 'kalamdb123'
const PAYLOAD_BYTES = 100

interface Result {
  /** The machine's 1-minute load average at the end: these figures mean little above the core count. */
  loadAverage: number
  connections: number
  seconds: number
  /** One figure per round, autocannon and the engine interleaved. */
  autocannonInsertsPerSec: number[]
  engineInsertsPerSec: number[]
  /** Each round's engine / autocannon. */
  roundRatios: number[]
  /** Median engine / median autocannon: the figure the target is about. */
  engineToAutocannonRatio: number
  /** Per round: CPU per insert of this process (the load generator) and of the simulator. */
  autocannonCpuUsPerInsert: CpuPerInsert[]
  engineCpuUsPerInsert: CpuPerInsert[]
  engineInsertP50Ms: number | null
  engineInsertP99Ms: number | null
  rateTargetPerSec: number
  rateSeconds: number
  ratePlanned: number
  rateAcknowledged: number
  rateErrorPercent: number
  rateInsertP99Ms: number | null
  notificationNsPerRow: number
  countOnlyNsPerRow: number
  overheadNsPerRow: number
  overheadPercentOfCoreAt10k: number
  endToEndNotificationP50Ms: number | null
  endToEndNotificationP99Ms: number | null
}

export async function run(args: string[]): Promise<void> {
  const seconds = Number(flag(args, '--seconds') ?? 5)
  const connections = Number(flag(args, '--connections') ?? 10)
  const rateSeconds = Number(flag(args, '--rate-seconds') ?? 60)
  const rounds = Number(flag(args, '--rounds') ?? 5)
  const json = args.includes('--json')
  const log = (s: string): void => {
    if (!json) process.stdout.write(`${s}\n`)
  }
  const cli = join(dirname(process.argv[1]!), 'index.js')
  const child = spawn(
    process.execPath,
    [
      cli,
      'sim',
      '--port',
      '0',
      '--json',
      '--configured',
      `${USER}:${PASSWORD}`,
      '--no-rate-limits'
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] }
  )
  let client: KalamClient | null = null
  try {
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve)
      child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)))
    })
    const { url, pid } = JSON.parse(line) as { url: string; pid: number }
    simulatorPid = pid
    log(
      `simulator ${url} (pid ${pid}); ${connections} connections, ${seconds} s per throughput run; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`
    )
    client = await connectKalam({
      url,
      credentials: { user: USER, password: PASSWORD },
      maxSockets: connections + 2
    })
    // Every measurement gets a fresh table: a table that grew (memtable, flushed segments
    // whose keys each insert checks) would make whoever comes second look slower.
    let tables = 0
    const freshTable = async (): Promise<string> => {
      const o = runObjects(`bench${tables++}`)
      for (const s of createStatements(o)) await client!.sql(s)
      return o.table
    }
    const ids = new IdAllocator()
    const token = await login(url)

    // 1. Throughput: rounds of autocannon and the engine, interleaved in alternating order,
    // compared by medians (the shared machine drifts; this spreads it over both).
    const cannon = async (secs: number): Promise<number> =>
      autocannonRate(url, token, await freshTable(), ids, connections, secs)
    const eng = async (secs: number, rate: number): Promise<EngineRun> =>
      engineRate(client!, await freshTable(), ids, connections, secs, rate)
    // Warm-up of both (JIT, pooled sockets), not measured.
    const warm = await cannon(2)
    await eng(2, warm * 2)
    const cannonRates: number[] = []
    const engineRates: number[] = []
    let engine: EngineRun = { rate: 0, p50: null, p99: null }
    const cannonCpu: CpuPerInsert[] = []
    const engineCpu: CpuPerInsert[] = []
    for (let round = 0; round < rounds; round++) {
      let a: number
      let aCpu: CpuPerInsert
      let eCpu: CpuPerInsert
      if (round % 2 === 0) {
        a = await cannon(seconds)
        aCpu = lastCpu
        engine = await eng(seconds, a * 2)
        eCpu = lastCpu
      } else {
        engine = await eng(seconds, (cannonRates.at(-1) ?? warm) * 2)
        eCpu = lastCpu
        a = await cannon(seconds)
        aCpu = lastCpu
      }
      cannonRates.push(a)
      engineRates.push(engine.rate)
      cannonCpu.push(aCpu)
      engineCpu.push(eCpu)
      log(
        `round ${round + 1}: autocannon ${a.toFixed(0)} inserts/s (${cpuText(aCpu)}), workload engine ${engine.rate.toFixed(0)} inserts/s (${cpuText(eCpu)}; saturated: p50 ${fmt(engine.p50)} ms, p99 ${fmt(engine.p99)} ms from intended start); ratio ${(engine.rate / a).toFixed(2)}`
      )
    }
    const ratio = median(engineRates) / median(cannonRates)
    log(
      `median: autocannon ${median(cannonRates).toFixed(0)}, engine ${median(engineRates).toFixed(0)} inserts/s; ratio ${ratio.toFixed(3)} (target ≥ 0.9); CPU per insert, median: load generator ${cpuMedian(cannonCpu, 'generatorUs')} µs (autocannon) vs ${cpuMedian(engineCpu, 'generatorUs')} µs (engine), simulator ${cpuMedian(cannonCpu, 'simulatorUs')} vs ${cpuMedian(engineCpu, 'simulatorUs')} µs`
    )

    // 2. Rate accuracy at 1000 rows/s.
    const target = 1000
    log(`rate accuracy: ${target} rows/s for ${rateSeconds} s …`)
    const acc = await rateAccuracy(
      client,
      await freshTable(),
      ids,
      connections,
      target,
      rateSeconds
    )
    log(
      `  planned ${acc.planned}, acknowledged ${acc.acknowledged}: error ${acc.errorPercent.toFixed(3)}% (target < 1%), p99 ${fmt(acc.p99)} ms`
    )

    // 3. Notification-latency measurement overhead.
    const cost = await notificationCost()
    log(
      `notification accounting ${cost.full.toFixed(0)} ns/row vs counting only ${cost.countOnly.toFixed(0)} ns/row: overhead ${cost.overhead.toFixed(0)} ns/row = ${((cost.overhead * 10_000) / 1e7).toFixed(2)}% of one core at 10,000 notifications/s`
    )
    const e2e = await endToEnd(client, await freshTable(), ids)
    log(
      `end-to-end notification latency at 100 rows/s × 5 subscribers: p50 ${fmt(e2e.p50)} ms, p99 ${fmt(e2e.p99)} ms`
    )

    const result: Result = {
      loadAverage: Math.round(loadavg()[0]! * 10) / 10,
      connections,
      seconds,
      autocannonInsertsPerSec: cannonRates.map(round),
      engineInsertsPerSec: engineRates.map(round),
      roundRatios: engineRates.map((e, i) => Math.round((e / cannonRates[i]!) * 1000) / 1000),
      engineToAutocannonRatio: Math.round(ratio * 1000) / 1000,
      autocannonCpuUsPerInsert: cannonCpu,
      engineCpuUsPerInsert: engineCpu,
      engineInsertP50Ms: engine.p50,
      engineInsertP99Ms: engine.p99,
      rateTargetPerSec: target,
      rateSeconds,
      ratePlanned: acc.planned,
      rateAcknowledged: acc.acknowledged,
      rateErrorPercent: Math.round(acc.errorPercent * 1000) / 1000,
      rateInsertP99Ms: acc.p99,
      notificationNsPerRow: round(cost.full),
      countOnlyNsPerRow: round(cost.countOnly),
      overheadNsPerRow: round(cost.overhead),
      overheadPercentOfCoreAt10k: Math.round(((cost.overhead * 10_000) / 1e7) * 100) / 100,
      endToEndNotificationP50Ms: e2e.p50,
      endToEndNotificationP99Ms: e2e.p99
    }
    if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
  } finally {
    await client?.close()
    child.kill('SIGINT')
  }
}

interface EngineRun {
  rate: number
  p50: number | null
  p99: number | null
}

function sink(): WorkloadSink {
  return {
    counters: createCounters(),
    latency: new LatencyRecorder(),
    errors: new ErrorTally(),
    event: () => {}
  }
}

async function autocannonRate(
  url: string,
  token: string,
  table: string,
  ids: IdAllocator,
  connections: number,
  seconds: number
): Promise<number> {
  const payload = payloadOf(PAYLOAD_BYTES)
  const t0 = performance.now()
  const cpu0 = startCpu()
  const r = await autocannon({
    url: `${url}/v1/api/sql`,
    connections,
    pipelining: 1,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        // The same statement the writers send, with fresh ids (a duplicate key would fail).
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({ sql: insertSql(table, ids.take(1), 1, 0, nowUs(), payload) })
        })
      }
    ]
  })
  lastCpu = cpuPerInsert(cpu0, r['2xx'])
  // Its own window (first connect to last answer), like the engine's: the wall time around
  // the call also holds its setup and teardown.
  return r['2xx'] / (r.duration > 0 ? r.duration : (performance.now() - t0) / 1000)
}

/**
 * CPU time per insert of the load generator (this process: autocannon or the engine, they
 * never run at once) and of the simulator. On a shared 2-core machine the simulator's share
 * of the cores sets the throughput, and the load generator's CPU is what it takes from it;
 * the simulator's figure shows whether both kinds of requests cost it the same.
 */
interface CpuPerInsert {
  generatorUs: number
  simulatorUs: number
}

let simulatorPid = 0
let lastCpu: CpuPerInsert = { generatorUs: 0, simulatorUs: 0 }

function startCpu(): { own: NodeJS.CpuUsage; simulatorUs: number } {
  return { own: process.cpuUsage(), simulatorUs: processCpuUs(simulatorPid) }
}

function cpuPerInsert(start: ReturnType<typeof startCpu>, inserts: number): CpuPerInsert {
  const own = process.cpuUsage(start.own)
  const n = Math.max(1, inserts)
  return {
    generatorUs: Math.round((own.user + own.system) / n),
    simulatorUs: Math.round((processCpuUs(simulatorPid) - start.simulatorUs) / n)
  }
}

/** utime + stime of a process from /proc/PID/stat, in µs (0 off Linux). */
function processCpuUs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(fields[11]) + Number(fields[12])
    return (ticks / clockTicksPerSecond()) * 1e6
  } catch {
    return 0
  }
}

function cpuText(c: CpuPerInsert): string {
  return `CPU per insert: load generator ${c.generatorUs} µs, simulator ${c.simulatorUs} µs`
}

function cpuMedian(list: CpuPerInsert[], key: keyof CpuPerInsert): number {
  return Math.round(median(list.map((c) => c[key])))
}

async function engineRate(
  client: KalamClient,
  table: string,
  ids: IdAllocator,
  connections: number,
  seconds: number,
  ratePerSec: number
): Promise<EngineRun> {
  const s = sink()
  const signal = new AbortController().signal
  const pool = startWriters({
    writers: Array.from({ length: connections }, () => ({ runner: client, user: USER })),
    table,
    ratePerSec,
    batchSize: 1,
    payloadBytes: PAYLOAD_BYTES,
    sink: s,
    signal,
    ids
  })
  const t0 = nowMs()
  const cpu0 = startCpu()
  await new Promise((r) => setTimeout(r, seconds * 1000))
  const inserts = s.counters.inserts
  const wall = (nowMs() - t0) / 1000
  lastCpu = cpuPerInsert(cpu0, inserts)
  await pool.stop()
  const ms = (q: number): number | null => {
    const us = s.latency.percentileUs('insert', q)
    return us === null ? null : Math.round(us / 100) / 10
  }
  return { rate: inserts / wall, p50: ms(50), p99: ms(99) }
}

async function rateAccuracy(
  client: KalamClient,
  table: string,
  ids: IdAllocator,
  connections: number,
  ratePerSec: number,
  seconds: number
): Promise<{ planned: number; acknowledged: number; errorPercent: number; p99: number | null }> {
  const s = sink()
  const pool = startWriters({
    writers: Array.from({ length: connections }, () => ({ runner: client, user: USER })),
    table,
    ratePerSec,
    batchSize: 1,
    payloadBytes: PAYLOAD_BYTES,
    sink: s,
    signal: new AbortController().signal,
    ids
  })
  const t0 = nowMs()
  await new Promise((r) => setTimeout(r, seconds * 1000))
  // Planned: the grid's starts up to now (the first at t0). Acknowledged: all of them once
  // in-flight requests are answered (stop waits for those; the unsent are counted apart).
  const planned = Math.floor(((nowMs() - t0) / 1000) * ratePerSec) + 1
  await pool.stop()
  const acknowledged = s.counters.inserts
  const us = s.latency.percentileUs('insert', 99)
  return {
    planned,
    acknowledged,
    errorPercent: (Math.abs(acknowledged - planned) / planned) * 100,
    p99: us === null ? null : Math.round(us / 100) / 10
  }
}

/**
 * ns per notification row of the subscribers' handler (the engine's own, through a fake
 * live connection) against a handler that only counts rows. Frames are prebuilt, as the
 * client hands them over after parsing.
 */
async function notificationCost(): Promise<{ full: number; countOnly: number; overhead: number }> {
  const N = 1_000_000
  let handlers: LiveHandlers = {}
  const opener: LiveOpener = {
    openLive: async (h) => {
      handlers = h ?? {}
      return {
        open: true,
        framesReceived: 0,
        protocolErrors: 0,
        user: USER,
        role: 'dba',
        subscribe: async (id) => ({
          subscriptionId: id,
          schema: [],
          lastSeqId: null,
          initialRows: []
        }),
        unsubscribe: () => {},
        close: async () => {}
      }
    }
  }
  const s = sink()
  const group = startSubscribers({
    slots: [{ opener, user: USER }],
    table: 'bench.t',
    sink: s,
    signal: new AbortController().signal,
    openPerSec: 1000
  })
  const now = nowUs()
  const frames = Array.from({ length: 1000 }, (_, i) => ({
    subscriptionId: 'sub0',
    changeType: 'insert' as const,
    rows: [
      {
        id: String(i),
        writer: 0,
        sent_us: String(now - 500 - (i % 300)),
        payload: 'x',
        _seq: String(i)
      }
    ],
    receivedAt: now / 1000
  }))
  const time = (fn: (i: number) => void): number => {
    for (let i = 0; i < 100_000; i++) fn(i) // warm-up
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < N; i++) fn(i)
    return Number(process.hrtime.bigint() - t0) / N
  }
  await group.ready
  const onChange = handlers.onChange!
  const full = time((i) => onChange(frames[i % 1000]!))
  let count = 0
  const countOnly = time((i) => {
    count += frames[i % 1000]!.rows.length
  })
  await group.stop()
  if (count < 0) throw new Error('unreachable')
  return { full, countOnly, overhead: full - countOnly }
}

async function endToEnd(
  client: KalamClient,
  table: string,
  ids: IdAllocator
): Promise<{ p50: number | null; p99: number | null }> {
  const s = sink()
  const signal = new AbortController().signal
  const group = startSubscribers({
    slots: Array.from({ length: 5 }, () => ({ opener: client, user: USER })),
    table,
    sink: s,
    signal,
    openPerSec: 50
  })
  await group.ready
  const pool = startWriters({
    writers: [{ runner: client, user: USER }],
    table,
    ratePerSec: 100,
    batchSize: 1,
    sink: s,
    signal,
    ids,
    onInsert: (o) => group.observeInsert(o)
  })
  await new Promise((r) => setTimeout(r, 5000))
  await pool.stop()
  await group.drain(500, 3000)
  await group.stop()
  const ms = (q: number): number | null => {
    const us = s.latency.percentileUs('notification', q)
    return us === null ? null : Math.round(us / 10) / 100
  }
  return { p50: ms(50), p99: ms(99) }
}

async function login(url: string): Promise<string> {
  const res = await fetch(`${url}/v1/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: USER, password: PASSWORD })
  })
  const body = (await res.json()) as { access_token?: string }
  if (!body.access_token) throw new Error(`login failed: ${res.status}`)
  return body.access_token
}

function fmt(v: number | null): string {
  return v === null ? '-' : String(v)
}

function median(values: number[]): number {
  return medianOrNull(values) ?? 0
}

function round(v: number): number {
  return Math.round(v * 10) / 10
}
