import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BenchListSchema } from '../../shared/api'
import { CompareResultSchema } from '../../shared/api-schemas'
import { saveResult } from '../benchmark/history'
import { compareComparables, loadComparable } from '../compare'
import { benchResult } from '../compare/testing/factories'
import { BENCH_ENV, benchDirs } from './bench-dirs'
import { BenchStore } from './bench-store'

describe('bench-dirs', () => {
  it('defaults to ./profiler-bench like `bench --save`; KP_BENCH_DIR or --bench-dir come first', () => {
    expect(benchDirs({ env: {}, cwd: '/w' })).toEqual(['/w/profiler-bench'])
    expect(benchDirs({ env: { [BENCH_ENV]: 'h' }, cwd: '/w' })).toEqual([
      '/w/h',
      '/w/profiler-bench'
    ])
    expect(benchDirs({ env: { [BENCH_ENV]: 'h' }, cwd: '/w', explicit: '/x' })).toEqual([
      '/x',
      '/w/profiler-bench'
    ])
    expect(benchDirs({ env: {}, cwd: '/w', explicit: 'profiler-bench' })).toEqual([
      '/w/profiler-bench'
    ])
  })
})

describe('bench-store', () => {
  let tmp: string
  let root: string
  let other: string
  let store: BenchStore
  let older: string
  let newer: string

  beforeEach(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'kp-bench-store-'))
    root = join(tmp, 'profiler-bench')
    other = join(tmp, 'elsewhere')
    mkdirSync(other)
    older = await saveResult(root, benchResult(1, { version: '0.4.3' }))
    newer = await saveResult(root, {
      ...benchResult(2, { version: '0.4.4', quick: false, medianMs: 20 }),
      target: {
        url: 'http://127.0.0.1:8080',
        version: '0.4.4',
        buildDate: null,
        gitCommit: '0123456789abcdef'
      }
    })
    store = new BenchStore([root, join(tmp, 'missing')])
  })
  afterEach(() => rmSync(tmp, { recursive: true, force: true }))

  it('lists saved results newest first with version, build, date and quick or full', async () => {
    expect(newer).toBe(join(root, '0.4.4+01234567', '2023-11-14-221320.json'))
    const list = await store.list()
    expect(BenchListSchema.parse(list)).toEqual(list)
    expect(list.dirs).toEqual([root, join(tmp, 'missing')])
    expect(list.unreadable).toEqual([])
    expect(list.results.map((r) => [r.path, r.version, r.build, r.quick])).toEqual([
      [newer, '0.4.4', '01234567', false],
      [older, '0.4.3', null, true]
    ])
    expect(list.results[0]).toMatchObject({
      label: join('profiler-bench', '0.4.4+01234567', '2023-11-14-221320.json'),
      dir: root,
      url: 'http://127.0.0.1:8080',
      startedAt: 1_700_000_000_002,
      benchmarks: 3,
      failed: 0
    })
  })

  it('lists a malformed file as unreadable, with the reason, and keeps the others', async () => {
    mkdirSync(join(root, 'x'))
    writeFileSync(join(root, 'x', 'broken.json'), '{"kind": "kalam-profiler-bench", "quick": 1')
    writeFileSync(join(root, 'x', 'report.json'), '{"schemaVersion": 1}')
    writeFileSync(join(root, 'x', 'notes.txt'), 'not listed')
    const list = await store.list()
    expect(list.results).toHaveLength(2)
    expect(list.unreadable).toEqual([
      {
        path: join(root, 'x', 'broken.json'),
        reason: `${join('profiler-bench', 'x', 'broken.json')} is not JSON: it is not a bench result`
      },
      {
        path: join(root, 'x', 'report.json'),
        reason: expect.stringContaining('is not a bench result (no "kind"')
      }
    ])
  })

  it('compares two results exactly as `compare A B --json` does', async () => {
    const result = await store.compare(older, newer)
    expect(CompareResultSchema.parse(result)).toBeTruthy()
    expect(result).toMatchObject({ kind: 'bench', verdict: 'regression' })
    expect(result.a.label).toBe(join('profiler-bench', '0.4.3', '2023-11-14-221320.json'))
    const cli = compareComparables(await loadComparable(older), await loadComparable(newer), {
      labels: [result.a.label, result.b.label]
    })
    expect(result).toEqual(JSON.parse(JSON.stringify(cli)))
    const write = result.metrics.find((m) => m.id === 'bench.write-latency.p25')
    expect(write).toMatchObject({ significant: true, direction: 'worse', unit: 'ms' })
    expect(result.notes).toContain('KalamDB version: A 0.4.3, B 0.4.4.')
  })

  it('gives a figure without samples as null, as JSON does, so it crosses the API', async () => {
    const empty = benchResult(3)
    const f = empty.benchmarks[0]!.figures[0]!
    f.samples = []
    f.stats = { ...f.stats, median: NaN, p25: NaN, p95: NaN, medianCi95: [NaN, NaN] }
    const path = await saveResult(root, empty)
    const result = await store.compare(older, path)
    expect(CompareResultSchema.safeParse(result).success).toBe(true)
    const row = result.metrics.find((m) => m.id === 'bench.write-latency.p25')
    expect(row).toMatchObject({ b: null, change: null, significant: false })
  })

  it('refuses a path outside the history folders, whatever its shape', async () => {
    const outside = await saveResult(other, benchResult(4))
    const relativeUp = join(root, '..', 'elsewhere', outside.slice(other.length + 1))
    for (const p of [
      outside,
      relativeUp,
      'profiler-bench/0.4.3/2023-11-14-221320.json',
      root,
      join(root, '0.4.3'),
      join(root, 'a', 'b', 'c.json'),
      join(root, '.hidden', 'x.json'),
      '/etc/passwd'
    ]) {
      await expect(store.compare(p, newer), p).rejects.toMatchObject({
        code: 'BAD_INPUT',
        message: expect.stringContaining('is not a bench result in a bench history folder')
      })
    }
  })

  it('refuses a link inside the folder that leads out of it', async () => {
    const outside = await saveResult(other, benchResult(5))
    mkdirSync(join(root, 'linked'))
    symlinkSync(outside, join(root, 'linked', 'out.json'))
    await expect(store.compare(join(root, 'linked', 'out.json'), newer)).rejects.toMatchObject({
      code: 'BAD_INPUT'
    })
    expect((await store.list()).results.map((r) => r.path)).not.toContain(
      join(root, 'linked', 'out.json')
    )
  })

  it('says clearly which file is malformed or missing', async () => {
    mkdirSync(join(root, 'x'))
    const broken = join(root, 'x', 'broken.json')
    writeFileSync(broken, '{"kind": "kalam-profiler-bench", "startedAt": "yesterday"}')
    await expect(store.compare(older, broken)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(
        /^profiler-bench\/x\/broken\.json is not a readable bench result: startedAt: /
      )
    })
    await expect(store.compare(join(root, 'x', 'gone.json'), older)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: 'profiler-bench/x/gone.json does not exist'
    })
  })

  it('says two results with nothing in common cannot be compared', async () => {
    const r = benchResult(6)
    r.benchmarks = r.benchmarks.map((b) => ({
      ...b,
      figures: b.figures.map((f) => ({ ...f, id: `other.${f.id}` }))
    }))
    const path = await saveResult(root, r)
    await expect(store.compare(older, path)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringContaining('no figure in common')
    })
  })
})
