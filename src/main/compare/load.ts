/**
 * What `compare` accepts on its command line: a session directory (or its session.json),
 * a bench result file, or a bench history folder (`bench --save`'s per-version folder: the
 * newest result in it). Anything else is one clear line.
 */
import { readFile, readdir, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { z } from 'zod'
import { BENCH_RESULT_KIND, type BenchResult } from '../../shared/bench'
import type { CompareResult } from '../../shared/compare'
import { ProfilerError } from '../../shared/errors'
import type { SessionData } from '../../shared/session'
import { folderOfSessions, readSession } from '../session/reader'
import { compareBench, type CompareOptions } from './bench'
import { compareSessions } from './sessions'

export type Comparable =
  | { kind: 'session'; path: string; session: SessionData }
  | { kind: 'bench'; path: string; bench: BenchResult }

const num = z.number()

/** The parts of a bench result `compare` relies on; extra fields are kept. */
const BenchResultSchema = z.looseObject({
  kind: z.literal(BENCH_RESULT_KIND),
  startedAt: num,
  quick: z.boolean(),
  target: z.looseObject({ version: z.string().nullable().optional() }),
  benchmarks: z.array(
    z.looseObject({
      id: z.string(),
      figures: z.array(
        z.looseObject({
          id: z.string(),
          label: z.string(),
          unit: z.enum(['ms', 'rows/s', 'bytes/row']),
          better: z.enum(['lower', 'higher']),
          samples: z.array(num),
          // A figure without samples has no statistics: JSON writes its NaN as null.
          stats: z.looseObject({
            median: num.nullable(),
            p95: num.nullable(),
            medianCi95: z.tuple([num.nullable(), num.nullable()])
          })
        })
      )
    })
  ),
  targets: z.array(z.looseObject({ name: z.string() })).optional()
})

export function parseBenchResult(value: unknown, where: string): BenchResult {
  const kind = (value as { kind?: unknown } | null)?.kind
  if (kind !== BENCH_RESULT_KIND) {
    throw new ProfilerError(
      'BAD_INPUT',
      `${where} is not a bench result (no "kind": "${BENCH_RESULT_KIND}"): give a session directory or a file written by \`bench --json\` / \`--save\``
    )
  }
  const parsed = BenchResultSchema.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const at = issue ? issue.path.join('.') : ''
    throw new ProfilerError(
      'BAD_INPUT',
      `${where} is not a readable bench result: ${at ? `${at}: ` : ''}${issue?.message ?? 'invalid'}`
    )
  }
  const r = parsed.data as unknown as BenchResult
  // Statistics of sample-less figures come back as null: make them NaN ("not measured") again.
  for (const b of r.benchmarks) {
    for (const f of b.figures) {
      const s = f.stats as unknown as Record<string, unknown>
      for (const k of Object.keys(s)) if (s[k] === null) s[k] = NaN
      f.stats.medianCi95 = f.stats.medianCi95.map((v) => v ?? NaN) as [number, number]
    }
  }
  return { ...r, targets: r.targets ?? [], notes: r.notes ?? [] }
}

async function statOrNull(path: string): Promise<Awaited<ReturnType<typeof stat>> | null> {
  try {
    return await stat(path)
  } catch {
    return null
  }
}

async function readBenchFile(path: string): Promise<BenchResult> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    throw new ProfilerError(
      'BAD_INPUT',
      `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`
    )
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new ProfilerError(
      'BAD_INPUT',
      `${path} is not JSON: give a session directory or a bench result file`
    )
  }
  return parseBenchResult(value, path)
}

/** The newest bench result in a history folder (names are <date>-<time>.json, so by name). */
async function newestBenchIn(dir: string): Promise<string | null> {
  const names = (await readdir(dir).catch(() => [] as string[]))
    .filter((n) => n.endsWith('.json'))
    .sort()
    .reverse()
  for (const n of names) {
    try {
      const v = JSON.parse(await readFile(join(dir, n), 'utf8')) as { kind?: unknown }
      if (v?.kind === BENCH_RESULT_KIND) return join(dir, n)
    } catch {
      // not a bench result: keep looking
    }
  }
  return null
}

export async function loadComparable(path: string): Promise<Comparable> {
  const st = await statOrNull(path)
  if (!st) throw new ProfilerError('BAD_INPUT', `${path} does not exist`)
  if (st.isDirectory()) {
    if (await statOrNull(join(path, 'session.json'))) {
      return { kind: 'session', path, session: await readSession(path) }
    }
    const newest = await newestBenchIn(path)
    if (newest) return { kind: 'bench', path: newest, bench: await readBenchFile(newest) }
    throw new ProfilerError(
      'BAD_INPUT',
      (await folderOfSessions(path)) ??
        `${path} is neither a session directory (no session.json) nor a folder of bench results`
    )
  }
  if (basename(path) === 'session.json') {
    return { kind: 'session', path: dirname(path), session: await readSession(dirname(path)) }
  }
  return { kind: 'bench', path, bench: await readBenchFile(path) }
}

/** Compares two loaded inputs of the same kind; a session with a bench result is BAD_INPUT. */
export function compareComparables(
  a: Comparable,
  b: Comparable,
  options: CompareOptions = {}
): CompareResult {
  const labels = options.labels ?? [a.path, b.path]
  if (a.kind === 'session' && b.kind === 'session') {
    return compareSessions(a.session, b.session, { ...options, labels })
  }
  if (a.kind === 'bench' && b.kind === 'bench') {
    return compareBench(a.bench, b.bench, { ...options, labels })
  }
  const what = (c: Comparable): string => (c.kind === 'session' ? 'a session' : 'a bench result')
  throw new ProfilerError(
    'BAD_INPUT',
    `cannot compare ${what(a)} (${a.path}) with ${what(b)} (${b.path}): compare two sessions of one scenario or two bench results`
  )
}
