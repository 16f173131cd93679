/**
 * `npm run bench -- analysis [--runs N] [--json]` (N default 3; about two minutes in all): what
 * `analyze` costs on long sessions. Recorded sessions are repeated end to end into long ones
 * that keep their real shape (flush sawtooth, memtables polled every 2 s, PSS every 5th
 * sample): the 10 Hz one (sim-10hz-no-leak-3m) to 30 min, 2 h and 8 h, the 1 s one
 * (sim-no-leak-5m) to 8 h. Each is written as a session directory, then read (readSession:
 * the reference, what any command pays to open a session) and analysed (analyzeSession), N
 * times; medians are reported, and the analysis as a multiple of reading it. Measures, never
 * asserts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { analyzeSession, median } from '../src/main/analysis'
import { readSession } from '../src/main/session/reader'
import type { Sample } from '../src/shared/sample'
import { flag } from './args'

// (The bench runs as out/cli/bench.js: the fixtures are two levels up.)
const FIXTURES = resolve(dirname(process.argv[1] as string), '../../test/fixtures/sessions')

interface Case {
  label: string
  fixture: string
  hours: number
}

const CASES: Case[] = [
  { label: '10 Hz, 30 min', fixture: 'sim-10hz-no-leak-3m', hours: 0.5 },
  { label: '10 Hz, 2 h', fixture: 'sim-10hz-no-leak-3m', hours: 2 },
  { label: '10 Hz, 8 h', fixture: 'sim-10hz-no-leak-3m', hours: 8 },
  { label: '1 Hz, 8 h', fixture: 'sim-no-leak-5m', hours: 8 }
]

interface Result {
  label: string
  samples: number
  readMs: number
  analyzeMs: number
  /** analyzeMs / readMs. */
  analyzeOverRead: number
  rssVerdict: string
}

export async function run(args: string[]): Promise<void> {
  const runs = Number(flag(args, '--runs') ?? 3)
  const json = args.includes('--json')
  const results: Result[] = []
  for (const c of CASES) {
    const dir = mkdtempSync(join(tmpdir(), 'kp-bench-analysis-'))
    try {
      const samples = await writeRepeated(join(FIXTURES, c.fixture), dir, c.hours * 3_600_000)
      const read: number[] = []
      const analyze: number[] = []
      let rssVerdict = ''
      for (let i = 0; i < runs; i++) {
        let t = performance.now()
        const session = await readSession(dir)
        read.push(performance.now() - t)
        t = performance.now()
        const a = analyzeSession(session)
        analyze.push(performance.now() - t)
        rssVerdict = a.metrics.rssBytes?.verdict ?? 'none'
      }
      const readMs = median(read) ?? 0
      const analyzeMs = median(analyze) ?? 0
      const r: Result = {
        label: c.label,
        samples,
        readMs,
        analyzeMs,
        analyzeOverRead: analyzeMs / readMs,
        rssVerdict
      }
      results.push(r)
      if (!json) {
        process.stdout.write(
          `${r.label.padEnd(14)} ${String(r.samples).padStart(7)} samples   read ${r.readMs.toFixed(0).padStart(5)} ms   analyze ${r.analyzeMs.toFixed(0).padStart(5)} ms   (${r.analyzeOverRead.toFixed(2)}× reading; RSS ${r.rssVerdict})\n`
        )
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  if (json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`)
}

/**
 * The fixture's samples repeated end to end until `durationMs`, written with its session.json
 * (no events: the whole recording is judged). Returns the number of samples written.
 */
async function writeRepeated(fixture: string, dir: string, durationMs: number): Promise<number> {
  const recorded = (await readSession(fixture)).samples
  const first = recorded[0] as Sample
  const last = recorded[recorded.length - 1] as Sample
  const interval = (last.t - first.t) / (recorded.length - 1)
  const span = last.t - first.t + interval
  const out: string[] = []
  for (let k = 0; k * span < durationMs; k++) {
    const shift = k * span
    for (const s of recorded) {
      if (s.t - first.t + shift > durationMs) break
      out.push(
        JSON.stringify({
          ...s,
          t: s.t + shift,
          ...(s.socketsAt !== undefined ? { socketsAt: s.socketsAt + shift } : {}),
          ...(s.server ? { server: { ...s.server, polledAt: s.server.polledAt + shift } } : {})
        })
      )
    }
  }
  const meta = JSON.parse(readFileSync(join(fixture, 'session.json'), 'utf8')) as Record<
    string,
    unknown
  >
  writeFileSync(
    join(dir, 'session.json'),
    JSON.stringify({ ...meta, endedAt: first.t + durationMs })
  )
  writeFileSync(join(dir, 'samples.ndjson'), `${out.join('\n')}\n`)
  return out.length
}
