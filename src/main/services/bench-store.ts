/**
 * The saved bench results the app lists and compares (`kalam-profiler bench --save`): files
 * `<history folder>/<version>[+<build>]/<date>-<time>.json`, found in one or more history
 * folders (see bench-dirs). A result is named by its path, and only a `.json` file inside one
 * of those folders (directly, or one folder down) is ever read, whatever path a caller sends.
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises'
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path'
import type { BenchList, BenchSummary } from '../../shared/api'
import type { BenchResult } from '../../shared/bench'
import type { CompareMetric, CompareResult } from '../../shared/compare'
import { ProfilerError } from '../../shared/errors'
import { compareBench, parseBenchResult, type Thresholds } from '../compare'

/** A bench result larger than this is not read (they are a few MB with every raw sample). */
export const MAX_BENCH_FILE_BYTES = 256 * 1024 * 1024

interface Cached {
  mtimeMs: number
  size: number
  result: { ok: true; summary: BenchSummary } | { ok: false; reason: string }
}

export class BenchStore {
  readonly roots: string[]
  /** Summaries by path, kept while the file is unchanged (listing re-reads only new files). */
  private readonly cache = new Map<string, Cached>()

  constructor(roots: string[]) {
    this.roots = [...new Set(roots.map((r) => resolve(r)))]
  }

  async list(): Promise<BenchList> {
    const files = (await Promise.all(this.roots.map((r) => candidates(r)))).flat()
    const results: BenchSummary[] = []
    const unreadable: BenchList['unreadable'] = []
    for (const { root, path } of files) {
      const entry = await this.summaryOf(root, path)
      if (!entry) continue
      if (entry.ok) results.push(entry.summary)
      else unreadable.push({ path, reason: entry.reason })
    }
    results.sort((a, b) => b.startedAt - a.startedAt || a.path.localeCompare(b.path))
    return { dirs: this.roots, results, unreadable }
  }

  /** Two saved results side by side (A = reference): what `compare A B --json` prints. */
  async compare(a: string, b: string, thresholds?: Partial<Thresholds>): Promise<CompareResult> {
    const [ra, rb] = await Promise.all([this.resolveFile(a), this.resolveFile(b)])
    const [ba, bb] = await Promise.all([this.read(ra), this.read(rb)])
    const result = compareBench(ba, bb, {
      ...(thresholds ? { thresholds } : {}),
      labels: [this.labelOf(ra.root, ra.path), this.labelOf(rb.root, rb.path)]
    })
    return jsonSafe(result)
  }

  /** Reads and checks one bench result; every failure is one BAD_INPUT line naming the file. */
  async read(file: { root: string; path: string }): Promise<BenchResult> {
    const label = this.labelOf(file.root, file.path)
    const st = await stat(file.path).catch(() => null)
    if (!st || !st.isFile()) throw new ProfilerError('BAD_INPUT', `${label} does not exist`)
    if (st.size > MAX_BENCH_FILE_BYTES) {
      throw new ProfilerError('BAD_INPUT', `${label} is too large to be a bench result`)
    }
    let text: string
    try {
      text = await readFile(file.path, 'utf8')
    } catch (e) {
      throw new ProfilerError(
        'BAD_INPUT',
        `cannot read ${label}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`
      )
    }
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      throw new ProfilerError('BAD_INPUT', `${label} is not JSON: it is not a bench result`)
    }
    return parseBenchResult(value, label)
  }

  /**
   * The absolute path of a result file of ours, or BAD_INPUT: a `.json` file directly in a
   * history folder or one folder down, no hidden segment, and (links resolved) still inside.
   */
  async resolveFile(path: string): Promise<{ root: string; path: string }> {
    const abs = resolve(path)
    const refuse = (): never => {
      throw new ProfilerError(
        'BAD_INPUT',
        `${path} is not a bench result in a bench history folder (${this.roots.join(', ')})`
      )
    }
    if (!isAbsolute(path) || !abs.endsWith('.json')) refuse()
    const root = this.roots.find((r) => isInside(r, abs))
    if (!root) return refuse()
    const parts = relative(root, abs).split(sep)
    if (parts.length > 2 || parts.some((p) => p === '' || p.startsWith('.'))) refuse()
    // A link inside the folder must not lead out of it.
    const [realRoot, realFile] = await Promise.all([
      realpath(root).catch(() => null),
      realpath(abs).catch(() => null)
    ])
    if (realRoot && realFile && !isInside(realRoot, realFile)) refuse()
    return { root, path: abs }
  }

  /** "<history folder name>/<version>/<file>": what the CLI prints for the default folder. */
  private labelOf(root: string, path: string): string {
    return join(basename(root), relative(root, path))
  }

  private async summaryOf(root: string, path: string): Promise<Cached['result'] | null> {
    const st = await stat(path).catch(() => null)
    if (!st || !st.isFile()) return null
    const hit = this.cache.get(path)
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.result
    let result: Cached['result']
    try {
      const r = await this.read({ root, path })
      result = { ok: true, summary: summarize(root, path, this.labelOf(root, path), r) }
    } catch (e) {
      result = { ok: false, reason: e instanceof Error ? e.message : String(e) }
    }
    this.cache.set(path, { mtimeMs: st.mtimeMs, size: st.size, result })
    return result
  }
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path)
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)
}

/** `.json` files directly in a history folder and in its per-version folders. */
async function candidates(root: string): Promise<{ root: string; path: string }[]> {
  const out: { root: string; path: string }[] = []
  const entries = await readdir(root, { withFileTypes: true }).catch(() => [])
  for (const e of entries) {
    if (e.name.startsWith('.')) continue
    if (e.isFile() && e.name.endsWith('.json')) out.push({ root, path: join(root, e.name) })
    if (!e.isDirectory()) continue
    const inner = await readdir(join(root, e.name), { withFileTypes: true }).catch(() => [])
    for (const f of inner) {
      if (f.isFile() && f.name.endsWith('.json') && !f.name.startsWith('.')) {
        out.push({ root, path: join(root, e.name, f.name) })
      }
    }
  }
  return out
}

export function summarize(root: string, path: string, label: string, r: BenchResult): BenchSummary {
  const commit = r.target.gitCommit ?? null
  const build = commit
    ? /^[0-9a-f]{9,}$/i.test(commit)
      ? commit.slice(0, 8)
      : commit
    : (r.target.buildDate ?? null)
  return {
    path,
    label,
    dir: root,
    version: r.target.version ?? null,
    build,
    url: typeof r.target.url === 'string' ? r.target.url : null,
    startedAt: r.startedAt,
    endedAt: typeof r.endedAt === 'number' ? r.endedAt : null,
    quick: r.quick,
    benchmarks: r.benchmarks.length,
    failed: r.benchmarks.filter((b) => b.status === 'failed').length,
    targetsPassed: r.targets.filter((t) => t.pass === true).length,
    targetsFailed: r.targets.filter((t) => t.pass === false).length
  }
}

/**
 * The comparison as `compare --json` writes it: a figure without samples has NaN statistics,
 * which JSON (and the API) carries as null; an interval with such an end is no interval.
 */
function jsonSafe(result: CompareResult): CompareResult {
  const n = (v: number | null | undefined): number | null =>
    typeof v === 'number' && Number.isFinite(v) ? v : null
  const pair = (p: [number, number] | null | undefined): [number, number] | null | undefined =>
    p === undefined ? undefined : p && p.every((v) => Number.isFinite(v)) ? p : null
  const metrics = result.metrics.map((m): CompareMetric => {
    const out: CompareMetric = {
      ...m,
      a: n(m.a),
      b: n(m.b),
      change: n(m.change),
      delta: n(m.delta)
    }
    if (m.pValue !== undefined) out.pValue = n(m.pValue)
    for (const k of ['a95', 'b95', 'changeCi95'] as const) {
      if (m[k] !== undefined) out[k] = pair(m[k])
    }
    return out
  })
  return { ...result, metrics }
}
