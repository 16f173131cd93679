import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build, encodeIntoCompressedBase64 } from 'hdr-histogram-js'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { processSample } from '../../../test/helpers/sample'
import { SessionViewSchema } from '../../shared/api'
import { MAX_VIEW_SAMPLES } from '../session/envelope'
import { listSessionDirs, readSession } from '../session/reader'
import { SessionStore } from './session-store'

function writeSession(
  dir: string,
  meta: Record<string, unknown>,
  extra: Record<string, string> = {}
): void {
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, 'session.json'),
    JSON.stringify({ schemaVersion: 1, target: { pid: 1 }, endedAt: null, ...meta })
  )
  writeFileSync(join(dir, 'samples.ndjson'), '')
  for (const [f, text] of Object.entries(extra)) writeFileSync(join(dir, f), text)
}

describe('session-store', () => {
  let a: string
  let b: string
  let store: SessionStore

  beforeEach(() => {
    a = mkdtempSync(join(tmpdir(), 'kp-store-a-'))
    b = mkdtempSync(join(tmpdir(), 'kp-store-b-'))
    writeSession(
      join(a, 'old'),
      { scenario: 'memory-stability', startedAt: 1, status: 'passed' },
      {
        'verdicts.json': JSON.stringify([
          { name: 'x', threshold: '< 1', measured: 0, unit: 'count', pass: true },
          { name: 'y', threshold: '< 1', measured: null, unit: 'count', pass: null }
        ]),
        'events.ndjson':
          '{"t":1,"type":"phase","phase":"load"}\n{"t":2,"type":"from-the-future","x":1}\n'
      }
    )
    writeSession(join(b, 'new'), { scenario: 'query-latency', startedAt: 2, status: 'failed' })
    store = new SessionStore([a, b], { readSession, listSessionDirs })
  })
  afterEach(() => {
    rmSync(a, { recursive: true, force: true })
    rmSync(b, { recursive: true, force: true })
  })

  describe('list', () => {
    it('lists every folder, newest first, with a verdict tally', async () => {
      const list = await store.list()
      expect(list.map((s) => [s.name, s.scenario])).toEqual([
        ['new', 'query-latency'],
        ['old', 'memory-stability']
      ])
      expect(list[1]).toMatchObject({ criteriaPassed: 1, criteriaFailed: 0, criteriaUnmeasured: 1 })
    })

    it('lists the sessions `run all` records in a folder of its own, named with it', async () => {
      const all = join(b, '2026-12-07T21-00-00-all')
      writeSession(join(all, 'memory-stability'), { scenario: 'memory-stability', startedAt: 3 })
      writeSession(join(all, 'query-latency'), { scenario: 'query-latency', startedAt: 4 })
      const list = await store.list()
      expect(list.map((s) => s.name)).toEqual([
        '2026-12-07T21-00-00-all/query-latency',
        '2026-12-07T21-00-00-all/memory-stability',
        'new',
        'old'
      ])
      const view = await store.open(join(all, 'query-latency'))
      expect(view.summary.name).toBe('2026-12-07T21-00-00-all/query-latency')
      expect((await store.open(join(b, 'new'))).summary.name).toBe('new')
    })
  })

  describe('open', () => {
    it('leaves out events the API does not know', async () => {
      const v = await store.open(join(a, 'old'))
      expect(v.events).toEqual([{ t: 1, type: 'phase', phase: 'load' }])
    })

    it('thins a long recording for drawing and says how many samples it holds', async () => {
      // Eight hours at 1 Hz with one spike: past MAX_VIEW_SAMPLES, an envelope of RSS.
      const n = 8 * 3600
      const rss = (i: number): number => (i === 7777 ? 900_000_000 : 100_000_000 + (i % 60) * 4096)
      const lines = Array.from({ length: n }, (_, i) =>
        JSON.stringify(processSample(1_000_000 + i * 1000, rss(i)))
      )
      writeSession(
        join(a, 'long'),
        { scenario: 'memory-stability', startedAt: 4 },
        {
          'samples.ndjson': lines.join('\n') + '\n'
        }
      )
      const v = await store.open(join(a, 'long'))
      expect(v.sampleCount).toBe(n)
      expect(v.samples.length).toBeLessThanOrEqual(MAX_VIEW_SAMPLES)
      expect(v.samples.length).toBeLessThan(n)
      expect(v.samples.map((x) => x.rssBytes)).toContain(900_000_000)
      // …and still spans the whole recording.
      expect(v.samples[0]!.t).toBeLessThan(1_000_000 + 10_000)
      expect(v.samples.at(-1)!.t).toBeGreaterThan(1_000_000 + (n - 10) * 1000)
      expect(SessionViewSchema.safeParse(v).success).toBe(true)
      // A short one is sent whole.
      const short = await store.open(join(a, 'old'))
      expect(short.sampleCount).toBe(short.samples.length)
    })

    it('carries the latency histograms as bars, valid for the API', async () => {
      const h = build({ numberOfSignificantValueDigits: 3, useWebAssembly: false })
      h.recordValueWithCount(1500, 4)
      h.recordValue(30_000)
      const s = { count: 5, minUs: 1500, maxUs: 30_000, meanUs: 7200, p50Us: 1500 }
      const p = { p90Us: 30_000, p95Us: 30_000, p99Us: 30_000, p999Us: 30_000 }
      writeSession(
        join(a, 'lat'),
        { scenario: 'query-latency', startedAt: 3, status: 'passed' },
        {
          'latency.json': JSON.stringify({
            schemaVersion: 1,
            unit: 'us',
            operations: { query: { ...s, ...p, histogram: encodeIntoCompressedBase64(h) } }
          })
        }
      )
      const v = await store.open(join(a, 'lat'))
      expect(v.latencyHistograms?.query?.map((b) => [b.fromMs, b.count])).toEqual([
        [1, 4],
        [2, 0],
        [5, 0],
        [10, 0],
        [20, 1]
      ])
      expect(SessionViewSchema.safeParse(v).success).toBe(true)
      // A session without latency.json has none.
      expect((await store.open(join(a, 'old'))).latencyHistograms).toBeUndefined()
    })
  })

  describe('resolveDir', () => {
    it('refuses anything that is not directly inside a sessions folder', () => {
      for (const bad of [
        '/etc',
        join(a, '..'),
        join(a, 'old', 'snapshots'),
        a,
        join(a, '.hidden'),
        `${a}/../${b.split('/').pop()}/../../etc`
      ]) {
        expect(() => store.resolveDir(bad), bad).toThrow(/not in a sessions folder/)
      }
      expect(store.resolveDir(join(a, 'x', '..', 'old'))).toBe(join(a, 'old'))
    })

    it('takes a session in a `run all` folder, never a folder inside a session', () => {
      mkdirSync(join(a, 'run-all', 'memory-stability'), { recursive: true })
      expect(store.resolveDir(join(a, 'run-all', 'memory-stability'))).toBe(
        join(a, 'run-all', 'memory-stability')
      )
      for (const bad of [
        join(a, 'old', 'snapshots'),
        join(a, '.hidden', 'memory-stability'),
        join(a, 'run-all', '.x'),
        join(a, 'run-all', 'memory-stability', 'snapshots')
      ]) {
        expect(() => store.resolveDir(bad), bad).toThrow(/not in a sessions folder/)
      }
    })
  })

  describe('delete', () => {
    it('deletes a session folder but never a folder that is not a session', async () => {
      mkdirSync(join(a, 'not-a-session'))
      await expect(store.delete(join(a, 'not-a-session'))).rejects.toMatchObject({
        code: 'SESSION_INVALID'
      })
      expect(existsSync(join(a, 'not-a-session'))).toBe(true)
      await expect(store.delete('/tmp')).rejects.toMatchObject({ code: 'SESSION_INVALID' })
      await store.delete(join(a, 'old'))
      expect(existsSync(join(a, 'old'))).toBe(false)
    })
  })
})
