/**
 * Sessions as users hand them over: written by another tool or by hand, cut short, with
 * fields of the wrong type or out of range. Whatever such a directory holds, reading it,
 * `analyze` (JSON and text), every text report, compare, and the app's answers to open and
 * analyze (which it refuses outside the API: "handler answered outside the API") all work.
 * Seeded: a failure names the seed that makes the session.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { apiCalls } from '../../shared/api'
import type { SessionData } from '../../shared/session'
import { analyzeSession } from '../analysis'
import { renderAnalysisText } from '../analysis/render-text'
import { seededRandom } from '../analysis/stats'
import { compareSessions } from '../compare/sessions'
import { renderTextReport, type TextReportFormat } from '../report'
import { SessionStore } from '../services/session-store'
import { listSessionDirs, readSession } from './reader'

const SEEDS = 120
const root = mkdtempSync(join(tmpdir(), 'kp-odd-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

type Json = Record<string, unknown>

/** One odd session directory: well-formed parts, odd parts and junk, by seed. */
function writeOddSession(seed: number): string {
  const r = seededRandom(seed)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T
  const odd = (): unknown =>
    pick([null, 'x', -1, {}, [], true, 1e300, -1e300, 2 ** 53, 0, 5e7, 'NaN'])
  const value = (good: number): unknown => (r() < 0.06 ? odd() : good)
  const dir = join(root, `s${seed}`)
  mkdirSync(dir)

  const meta: Json = { scenario: pick(['memory-stability', 'sample']), pid: 1, start: 1.7e12 }
  for (const key of ['endedAt', 'status', 'machine', 'parameters', 'command', 'endReason']) {
    if (r() < 0.2) meta[key] = odd()
  }
  if (r() < 0.2) meta.target = { pid: pick([7, 'x', null]), url: pick(['http://x', 5]) }
  writeFileSync(join(dir, 'session.json'), JSON.stringify(meta))

  const n = pick([0, 1, 2, 5, 12, 60, 400])
  const step = pick([100, 1000, 30_000])
  const shape = pick(['flat', 'ramp', 'saw', 'step'])
  const lines: string[] = []
  for (let i = 0; i < n; i++) {
    const v =
      1e8 +
      (shape === 'ramp' ? i * 1e5 : shape === 'saw' ? (i % 20) * 3e5 : 0) +
      (shape === 'step' && i > n / 2 ? 2e7 : 0) +
      r() * 1e5
    const s: Json = {
      t: r() < 0.02 ? odd() : 1.7e12 + i * step,
      pid: 1,
      rssBytes: value(Math.round(v)),
      heapBytes: value(Math.round(v * 0.6)),
      fileMappedBytes: value(Math.round(v * 0.4)),
      stackBytes: value(135_168),
      pssBytes: r() < 0.2 ? value(Math.round(v * 0.7)) : null,
      cpuPercent: r() < 0.1 ? null : value(r() * 200),
      threads: value(10),
      portConnections: r() < 0.3 ? null : value(2)
    }
    // Another tool's samples: only the time and RSS.
    if (seed % 5 === 0)
      for (const k of Object.keys(s)) if (k !== 't' && k !== 'rssBytes') delete s[k]
    if (r() < 0.3)
      s.server =
        r() < 0.2 ? odd() : { polledAt: 1.7e12 + i * step, memtableBytes: value((i % 30) * 1e5) }
    lines.push(JSON.stringify(s))
  }
  if (r() < 0.1) lines.push('{"t": 1.7e12, "rssBy')
  writeFileSync(join(dir, 'samples.ndjson'), lines.join('\n'))

  const events: Json[] = []
  for (let i = 0, count = pick([0, 5, 60]); i < count; i++) {
    const t = 1.7e12 + r() * Math.max(1, n * step)
    const type = pick([
      'phase',
      'counters',
      'counters',
      'flush',
      'error',
      'crash',
      'verdict',
      'bogus'
    ])
    const e: Json = { t, type }
    if (type === 'phase') e.phase = pick(['baseline', 'load', 'idle', 'odd'])
    if (type === 'counters') {
      for (const k of Object.keys(apiCounterShape)) e[k] = value(Math.round((t - 1.7e12) / 10))
    }
    if (type === 'flush')
      Object.assign(e, {
        table: 'a.b',
        jobId: null,
        status: pick(['completed', 'odd']),
        durationMs: value(5),
        rows: value(10)
      })
    if (type === 'error')
      Object.assign(e, { source: 'x', code: 'E', message: 'm', count: value(2) })
    if (type === 'crash') Object.assign(e, { pid: 1, exitedAt: t, message: 'gone' })
    if (type === 'verdict')
      Object.assign(e, {
        name: 'x',
        threshold: '< 1',
        measured: value(1),
        unit: 'count',
        pass: pick([true, false, null, 'x'])
      })
    events.push(e)
  }
  if (r() < 0.9)
    writeFileSync(join(dir, 'events.ndjson'), events.map((e) => JSON.stringify(e)).join('\n'))

  const summary = {
    count: 3,
    minUs: 1,
    maxUs: 9,
    meanUs: 4,
    p50Us: 3,
    p90Us: 8,
    p95Us: 9,
    p99Us: 9,
    p999Us: 9
  }
  const latency = pick([
    null,
    { insert: 5 },
    [],
    {
      schemaVersion: 1,
      unit: 'us',
      operations: { insert: { ...summary, histogram: pick(['not base64', '', 'AAAA']) } }
    }
  ])
  if (latency !== null) writeFileSync(join(dir, 'latency.json'), JSON.stringify(latency))
  const criterion = { name: 'x', threshold: '< 1', measured: null, unit: 'ms', pass: null }
  const verdicts = pick([null, {}, [criterion], [null, 1, { name: 5 }, criterion]])
  if (verdicts !== null) writeFileSync(join(dir, 'verdicts.json'), JSON.stringify(verdicts))
  if (r() < 0.3) {
    mkdirSync(join(dir, 'snapshots'))
    writeFileSync(
      join(dir, 'snapshots', 'a.json'),
      JSON.stringify(pick([{}, [], 3, { t: 'x', rows: [{ path: 5 }] }]))
    )
  }
  return dir
}

/** The counters every `counters` event carries (WorkloadCounters). */
const apiCounterShape = Object.fromEntries(
  [
    'inserts',
    'requests',
    'rateLimited',
    'unavailable',
    'errors',
    'subscriptionsOpen',
    'subscriptionsOpened',
    'subscriptionsClosed',
    'connectionsOpen',
    'connectionsOpened',
    'connectionsClosed',
    'notifications',
    'droppedNotifications',
    'disconnects',
    'flushedRows',
    'queries'
  ].map((k) => [k, 0])
)

const FORMATS: TextReportFormat[] = ['md', 'html', 'json', 'csv', 'junit']

describe('session/odd sessions', () => {
  it(`reads, analyses, reports and compares ${SEEDS} odd sessions, and the app answers within its API`, async () => {
    const store = new SessionStore([root], { readSession, listSessionDirs })
    const failures: string[] = []
    let previous: SessionData | null = null
    for (let seed = 1; seed <= SEEDS; seed++) {
      const dir = writeOddSession(seed)
      let step = 'read'
      try {
        const session = await readSession(dir)
        step = 'analyze'
        const analysis = analyzeSession(session)
        const answer = apiCalls['session:analyze'].response.safeParse(analysis)
        if (!answer.success) throw new Error(`analysis outside the API: ${answer.error.message}`)
        step = 'text'
        renderAnalysisText(session.meta, analysis)
        for (const format of FORMATS) {
          step = format
          renderTextReport(session, analysis, format, { now: 0 })
        }
        step = 'open'
        const view = apiCalls['session:open'].response.safeParse(await store.open(dir))
        if (!view.success) throw new Error(`view outside the API: ${view.error.message}`)
        if (previous?.meta.scenario === session.meta.scenario) {
          step = 'compare'
          const c = apiCalls['sessions:compare'].response.safeParse(
            compareSessions(previous, session)
          )
          if (!c.success) throw new Error(`compare outside the API: ${c.error.message}`)
        }
        previous = session
      } catch (e) {
        failures.push(`seed ${seed}, ${step}: ${(e as Error).message.split('\n')[0]}`)
      }
    }
    expect(failures).toEqual([])
  })
})
