/**
 * `kalam-profiler analyze` end to end on session directories on disk: text (findings first,
 * then figures), --json (the DESIGN.md contract), a minimal session (session.json with only
 * scenario, pid and start, plus samples.ndjson), a torn last line, and every bad input
 * answered with one line and exit 2. One smoke test runs the built binary.
 */
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AnalysisResult } from '../../src/shared/analysis'
import { memoryContext } from '../../src/main/cli/context'
import { runCli } from '../../src/main/cli/run-cli'
import * as S from '../../src/main/analysis/synthetic'
import { runCliProcess } from '../helpers/cli'
import {
  countersEvents,
  phase,
  syntheticSamples,
  T0,
  writeSyntheticSession
} from '../fixtures/sessions/build'

const L = 200 * 1024 * 1024
let root: string
let leakDir: string
let minimalDir: string

async function analyze(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const ctx = memoryContext()
  const code = await runCli(['analyze', ...args], ctx)
  return { code, out: ctx.out(), err: ctx.err() }
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kp-analyze-'))
  // T220-like: baseline 30 s, 4 min of load leaking 1.9 KiB per insert at 200/s, 60 s idle.
  const inserts = (ms: number): number =>
    ms < 30_000 ? 0 : (200 * (Math.min(ms, 270_000) - 30_000)) / 1000
  leakDir = await writeSyntheticSession(join(root, 'leak'), {
    rss: (ms) => L + 1946 * inserts(ms),
    durationMs: 330_000,
    noise: 0.002,
    meta: { scenario: 'memory-stability', status: 'failed' },
    events: [
      phase(0, 'baseline'),
      phase(30_000, 'load'),
      phase(270_000, 'idle'),
      ...countersEvents(330_000, inserts)
    ],
    verdicts: [
      {
        name: 'RSS growth over the run',
        threshold: '< 10%',
        measured: 44.1,
        unit: 'percent',
        pass: false
      }
    ],
    latency: {
      schemaVersion: 1,
      unit: 'us',
      operations: {
        insert: {
          count: 48_000,
          minUs: 200,
          maxUs: 41_000,
          meanUs: 900,
          p50Us: 800,
          p90Us: 1500,
          p95Us: 2100,
          p99Us: 5200,
          p999Us: 12_000
        }
      }
    }
  })
  // Minimal: session.json with scenario, pid and start only; samples.ndjson; nothing else.
  minimalDir = join(root, 'minimal')
  await mkdir(minimalDir)
  await writeFile(
    join(minimalDir, 'session.json'),
    JSON.stringify({ scenario: 'sample', target: { pid: 4242 }, startedAt: T0 })
  )
  const samples = syntheticSamples({ rss: S.flat(L), durationMs: 120_000, noise: 0.002 })
  await writeFile(
    join(minimalDir, 'samples.ndjson'),
    samples.map((s) => JSON.stringify(s)).join('\n') + '\n'
  )
})

afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('analyze', () => {
  it('prints the findings first, in words, then the figures with units', async () => {
    const { code, out, err } = await analyze([leakDir])
    expect({ code, err }).toEqual({ code: 0, err: '' })
    const lines = out.split('\n')
    expect(lines[0]).toMatch(/^memory-stability · pid 4242 · 5m 30s · 331 samples · status FAILED$/)
    expect(lines[2]).toBe('Findings')
    expect(lines[3]).toMatch(
      /^ {2}✗ RSS leaks: it grows \+\d+\.\d MiB\/min, all of it anonymous heap, about 1\.9 KiB per insert/
    )
    expect(out.indexOf('Findings')).toBeLessThan(out.indexOf('Memory\n'))
    expect(out).toMatch(/RSS +LEAK +200\.\d MiB/)
    expect(out).toMatch(/Heap \(RssAnon\) +1\.9 KiB per insert/)
    expect(out).toMatch(/insert +48000 +0\.80 +2\.10 +5\.20 +41\.0/)
    expect(out).toMatch(/FAIL +RSS growth over the run +< 10% +44\.1%/)
  })

  it('prints the AnalysisResult with --json, keeping the DESIGN.md contract', async () => {
    const { code, out } = await analyze([leakDir, '--json'])
    expect(code).toBe(0)
    const a = JSON.parse(out) as AnalysisResult
    expect(a).toMatchObject({ schemaVersion: 1, status: 'failed' })
    expect(a.metrics.rssBytes).toMatchObject({
      verdict: 'leak',
      releasedPercent: expect.any(Number) as number
    })
    expect(a.metrics.rssBytes?.slopeCi95).toHaveLength(2)
    expect(a.attribution).toContainEqual(
      expect.objectContaining({ metric: 'heapBytes', per: 'insert' })
    )
    expect(a.criteria[0]).toMatchObject({
      name: 'RSS growth over the run',
      threshold: '< 10%',
      measured: 44.1,
      pass: false
    })
  })

  it('works on a session holding only a minimal session.json and samples.ndjson', async () => {
    const text = await analyze([minimalDir])
    expect(text.code).toBe(0)
    expect(text.out).toMatch(/^sample · pid 4242 · 2m 0s · 121 samples · status INTERRUPTED/)
    expect(text.out).toMatch(/· RSS held steady at 200\.\d MiB/)
    const json = JSON.parse((await analyze([minimalDir, '--json'])).out) as AnalysisResult
    expect(json.metrics.rssBytes?.verdict).toBe('stable')
    expect(json.metrics.rssBytes?.releasedPercent).toBeNull()
  })

  it("takes the issue's own minimum too: scenario, pid and start, the start an ISO date", async () => {
    const dir = join(root, 'by-hand')
    await mkdir(dir)
    await writeFile(
      join(dir, 'session.json'),
      JSON.stringify({ scenario: 'sample', pid: 4242, start: new Date(T0).toISOString() })
    )
    await writeFile(join(dir, 'samples.ndjson'), await readFile(join(minimalDir, 'samples.ndjson')))
    const [byHand, minimal] = await Promise.all([analyze([dir]), analyze([minimalDir])])
    expect(byHand.code).toBe(0)
    expect(byHand.out).toBe(minimal.out)
  })

  it('reads a session whose last line was torn by a crash and says so', async () => {
    const dir = join(root, 'torn')
    await writeSyntheticSession(dir, { rss: S.flat(L), durationMs: 60_000, noise: 0.002 })
    await appendFile(join(dir, 'samples.ndjson'), '{"t":1700000061000,"pid":4242,"rssBy')
    const { code, out } = await analyze([dir])
    expect(code).toBe(0)
    expect(out).toContain('1 unreadable line was skipped')
  })

  it('analyses a session with parts not in the format, and names what it left out', async () => {
    const dir = join(root, 'odd-parts')
    await writeSyntheticSession(dir, { rss: S.flat(L), durationMs: 60_000, noise: 0.002 })
    // As another tool, or a hand, writes them: a null criterion made `analyze` fail before.
    await writeFile(join(dir, 'verdicts.json'), JSON.stringify([null]))
    await writeFile(join(dir, 'latency.json'), JSON.stringify({ insert: { p95: 4 } }))
    const { code, out, err } = await analyze([dir])
    expect(err).toBe('')
    expect(code).toBe(0)
    expect(out).toContain(
      'Left out, not in the session format: latency.json; the criterion in verdicts.json.'
    )
  })

  describe('bad input', () => {
    it.each([
      ['a missing directory', () => join(root, 'nope'), /^error: no such directory: .*nope\n$/],
      [
        'a file',
        () => join(leakDir, 'session.json'),
        /^error: .*session\.json is not a directory\n$/
      ],
      [
        'a directory that is not a session',
        () => join(root, 'empty'),
        /^error: .*empty is not a session directory: session\.json is missing\n$/
      ],
      [
        'a folder of sessions, as `run all --out` writes',
        () => root,
        /^error: .* is not a session directory but a folder of \d+ sessions: name one, e\.g\. .*kp-analyze-\w+\/[\w-]+\n$/
      ]
    ])('answers %s with one line and exit 2', async (_what, dir, message) => {
      await mkdir(join(root, 'empty'), { recursive: true })
      const { code, out, err } = await analyze([dir()])
      expect({ code, out }).toEqual({ code: 2, out: '' })
      expect(err).toMatch(message)
    })

    it('answers a corrupt session.json with one line and exit 2', async () => {
      const dir = join(root, 'corrupt-meta')
      await mkdir(dir)
      await writeFile(join(dir, 'session.json'), '{"scenario": "sample", ')
      await writeFile(join(dir, 'samples.ndjson'), '')
      const { code, err } = await analyze([dir])
      expect(code).toBe(2)
      expect(err).toMatch(/^error: .*session\.json is not valid JSON\n$/)
    })

    it('answers samples with no readable line with one line and exit 2', async () => {
      const dir = join(root, 'corrupt-samples')
      await mkdir(dir)
      await writeFile(
        join(dir, 'session.json'),
        JSON.stringify({ scenario: 'sample', target: { pid: 1 }, startedAt: T0 })
      )
      await writeFile(join(dir, 'samples.ndjson'), 'garbage\n{"not":"a sample"}\n')
      const { code, err } = await analyze([dir])
      expect(code).toBe(2)
      expect(err).toMatch(
        /^error: .*samples\.ndjson holds no readable sample \(2 unreadable lines\)\n$/
      )
    })

    it('judges a single sample too short, never a guess, and counts it in the singular', async () => {
      const dir = join(root, 'one-sample')
      await mkdir(dir)
      await writeFile(join(dir, 'session.json'), JSON.stringify({ scenario: 'sample', pid: 1 }))
      const [first] = (await readFile(join(minimalDir, 'samples.ndjson'), 'utf8')).split('\n')
      await writeFile(join(dir, 'samples.ndjson'), `${first}\n`)
      const { code, out } = await analyze([dir])
      expect(code).toBe(0)
      expect(out).toMatch(/^sample · pid 1 · 0 ms · 1 sample · status INTERRUPTED\n/)
      const json = JSON.parse((await analyze([dir, '--json'])).out) as AnalysisResult
      expect(json.metrics.rssBytes).toMatchObject({
        verdict: 'inconclusive',
        reasonCode: 'too-short'
      })
    })

    it('answers a missing argument with a usage error and exit 2', async () => {
      const { code } = await analyze([])
      expect(code).toBe(2)
    })
  })

  it('runs as the built binary', async () => {
    const r = await runCliProcess(['analyze', minimalDir, '--json'])
    expect(r.code).toBe(0)
    expect((JSON.parse(r.stdout) as AnalysisResult).schemaVersion).toBe(1)
    const bad = await runCliProcess(['analyze', join(root, 'nope')])
    expect(bad.code).toBe(2)
    expect(bad.stderr.trim().split('\n')).toHaveLength(1)
  })
})
