/**
 * `npm run bench -- sim [--seconds N] [--subscribers N] [--connections N] [--json]`: how fast
 * the simulator takes single-row INSERTs over HTTP keep-alive while N WebSocket subscribers
 * (default 20) each receive one change frame per row. The simulator runs as its own process
 * (`kalam-profiler sim`, rate limits lifted); autocannon drives it. Reports inserts/s,
 * notifications/s, latency, the simulator's CPU and its RSS before and after.
 * Target (issue 4): ≥ 5,000 inserts/s with 20 subscribers on 2 cores. Measures, never asserts.
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { gunzipSync } from 'node:zlib'
import autocannon from 'autocannon'
import WebSocket from 'ws'
import { flag } from './args'

const MIB = 1024 * 1024

interface Result {
  seconds: number
  subscribers: number
  connections: number
  inserts: number
  insertsPerSec: number
  non2xx: number
  notifications: number
  notificationsPerSec: number
  /** Notifications expected (inserts × subscribers) that had arrived when the run ended. */
  deliveredPercent: number
  latencyP50Ms: number
  latencyP99Ms: number
  simCpuPercent: number
  rssBeforeBytes: number
  rssAfterBytes: number
  rssAnonBeforeBytes: number
  rssAnonAfterBytes: number
  /** VmRSS every 5 s during the run. */
  rssSamplesBytes: number[]
}

export async function run(args: string[]): Promise<void> {
  const seconds = Number(flag(args, '--seconds') ?? 10)
  const subscribers = Number(flag(args, '--subscribers') ?? 20)
  const connections = Number(flag(args, '--connections') ?? 8)
  /** Fixed total rate (inserts/s) instead of as fast as possible: a sustained-load memory check. */
  const rate = flag(args, '--rate') === undefined ? undefined : Number(flag(args, '--rate'))
  const json = args.includes('--json')
  const log = (s: string): void => {
    if (!json) process.stdout.write(`${s}\n`)
  }
  const cli = join(dirname(process.argv[1]!), 'index.js')
  const child = spawn(
    process.execPath,
    [cli, 'sim', '--port', '0', '--json', '--configured', 'admin:kalamdb123', '--no-rate-limits'],
    { stdio: ['ignore', 'pipe', 'inherit'] }
  )
  const sockets: WebSocket[] = []
  try {
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve)
      child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)))
    })
    const { url, pid } = JSON.parse(line) as { url: string; pid: number }
    log(
      `simulator ${url} (pid ${pid}); ${subscribers} subscribers, ${connections} HTTP connections, ${seconds} s`
    )
    const token = await login(url)
    await sql(url, token, 'CREATE NAMESPACE IF NOT EXISTS bench')
    await sql(
      url,
      token,
      "CREATE TABLE bench.events (id BIGINT PRIMARY KEY DEFAULT SNOWFLAKE_ID(), v TEXT, n INT) WITH (TYPE = 'SHARED', ACCESS_LEVEL = 'PUBLIC')"
    )
    let notifications = 0
    for (let i = 0; i < subscribers; i++) {
      const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/ws`, {
        headers: { authorization: `Bearer ${token}` }
      })
      sockets.push(ws)
      await new Promise<void>((resolve, reject) => {
        ws.once('error', reject)
        ws.on('message', (data: Buffer, binary: boolean) => {
          const text = binary ? gunzipSync(data).toString() : data.toString()
          if (text.startsWith('{"type":"change"')) notifications++
          else if (text.includes('"subscription_ack"')) resolve()
          else if (text.includes('"auth_success"')) {
            ws.send(
              JSON.stringify({
                type: 'subscribe',
                subscription: { id: `s${i}`, sql: 'SELECT * FROM bench.events' }
              })
            )
          }
        })
      })
    }
    const ping = setInterval(() => sockets.forEach((s) => s.send('{"type":"ping"}')), 4000)
    const before = memory(pid)
    const rssSamples: number[] = []
    const sampler = setInterval(() => rssSamples.push(memory(pid).rss), 5000)
    const cpuBefore = cpuTicks(pid)
    const t0 = performance.now()
    const ac = await autocannon({
      url: `${url}/v1/api/sql`,
      method: 'POST',
      connections,
      pipelining: 1,
      duration: seconds,
      ...(rate !== undefined ? { overallRate: rate } : {}),
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sql: "INSERT INTO bench.events (v, n) VALUES ('payload', 1)" })
    })
    const wall = (performance.now() - t0) / 1000
    clearInterval(sampler)
    const simCpu = ((cpuTicks(pid) - cpuBefore) / 100 / wall) * 100
    // Let in-flight notifications arrive (bounded wait) before counting them.
    const expected = ac['2xx'] * subscribers
    for (let i = 0; i < 50 && notifications < expected; i++)
      await new Promise((r) => setTimeout(r, 100))
    clearInterval(ping)
    const after = memory(pid)
    const r: Result = {
      seconds: wall,
      subscribers,
      connections,
      inserts: ac['2xx'],
      insertsPerSec: ac['2xx'] / wall,
      non2xx: ac.non2xx,
      notifications,
      notificationsPerSec: notifications / wall,
      deliveredPercent: expected === 0 ? 100 : (notifications / expected) * 100,
      latencyP50Ms: ac.latency.p50,
      latencyP99Ms: ac.latency.p99,
      simCpuPercent: simCpu,
      rssBeforeBytes: before.rss,
      rssAfterBytes: after.rss,
      rssAnonBeforeBytes: before.anon,
      rssAnonAfterBytes: after.anon,
      rssSamplesBytes: rssSamples
    }
    if (json) process.stdout.write(`${JSON.stringify(r)}\n`)
    else {
      log(
        `inserts:        ${r.inserts} in ${wall.toFixed(1)} s = ${r.insertsPerSec.toFixed(0)}/s (non-2xx ${r.non2xx})`
      )
      log(`latency:        p50 ${r.latencyP50Ms} ms, p99 ${r.latencyP99Ms} ms`)
      log(
        `notifications:  ${r.notifications} = ${r.notificationsPerSec.toFixed(0)}/s (${r.deliveredPercent.toFixed(1)}% of inserts × subscribers)`
      )
      log(`simulator CPU:  ${r.simCpuPercent.toFixed(0)}% of one core`)
      log(
        `simulator RSS:  ${(r.rssBeforeBytes / MIB).toFixed(1)} → ${(r.rssAfterBytes / MIB).toFixed(1)} MiB (RssAnon ${(r.rssAnonBeforeBytes / MIB).toFixed(1)} → ${(r.rssAnonAfterBytes / MIB).toFixed(1)} MiB)`
      )
      log(`RSS every 5 s:  ${r.rssSamplesBytes.map((b) => (b / MIB).toFixed(0)).join(' ')} MiB`)
    }
  } finally {
    for (const s of sockets) s.terminate()
    child.kill('SIGINT')
    await new Promise((r) => child.once('exit', r))
  }
}

async function login(url: string): Promise<string> {
  const res = await fetch(`${url}/v1/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: 'admin', password: 'kalamdb123' })
  })
  return ((await res.json()) as { access_token: string }).access_token
}

async function sql(url: string, token: string, text: string): Promise<void> {
  const res = await fetch(`${url}/v1/api/sql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ sql: text })
  })
  if (!res.ok) throw new Error(`${text}: ${res.status} ${await res.text()}`)
}

function memory(pid: number): { rss: number; anon: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (k: string): number =>
    Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? 0) * 1024
  return { rss: kb('VmRSS'), anon: kb('RssAnon') }
}

/** utime + stime of a process in clock ticks (100/s on Linux). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12])
}
