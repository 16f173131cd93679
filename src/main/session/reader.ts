/**
 * Reads a session directory back (DESIGN.md "Session directory"). Tolerant by design: a
 * session cut off by a crash has a torn last line and `status: running` — it is read, the
 * torn line counted in `skippedLines`, and the status reported as `interrupted` when the
 * writer that owned it is gone. A directory without session.json or samples.ndjson is not
 * a session and fails with SESSION_INVALID in one line.
 *
 * samples.ndjson and events.ndjson may be gzipped (`samples.ndjson.gz`, as record.sh keeps
 * large fixtures and as users attach sessions to issues); the plain file wins when both
 * exist. A gzip stream cut short is read as far as it goes, like a torn plain file.
 */
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { constants as zlibConstants, gunzipSync } from 'node:zlib'
import { ProfilerError } from '../../shared/errors'
import type { Sample } from '../../shared/sample'
import type { SessionData, SessionEvent, SessionMeta } from '../../shared/session'
import {
  dropMistypedMetaFields,
  isEvent,
  isLatencyFile,
  isSample,
  isTime,
  readableCriteria
} from './shapes'

export async function readSession(dir: string): Promise<SessionData> {
  const { meta, startGiven, dropped } = parseMeta(await readSessionJson(dir), dir)
  const samplesText = await readNdjsonFile(dir, 'samples.ndjson')
  if (samplesText === null) {
    throw new ProfilerError(
      'SESSION_INVALID',
      `${dir} is not a session directory: samples.ndjson is missing`
    )
  }
  const samples = parseNdjson<Sample>(samplesText, isSample)
  if (!startGiven) meta.startedAt = firstTime(samples.items)
  // Events are optional: unreadable ones are as good as none (the analysis works without).
  const eventsText = await readNdjsonFile(dir, 'events.ndjson').catch(() => null)
  const events = parseNdjson<SessionEvent>(eventsText ?? '', isEvent)
  const unreadable = dropped.map((field) => `session.json's ${field}`)
  // Absent is fine; present and not JSON of the right shape (torn by a crash, another
  // tool's) is named.
  const latencyText = await readOptional(dir, 'latency.json')
  const latencyFile = parseJsonOptional<unknown>(latencyText)
  const latency = isLatencyFile(latencyFile) ? latencyFile : null
  if (latencyText.trim() !== '' && latency === null) unreadable.push('latency.json')
  const verdictsText = await readOptional(dir, 'verdicts.json')
  const verdictsFile = parseJsonOptional<unknown>(verdictsText)
  const criteria = readableCriteria(verdictsFile)
  if (verdictsText.trim() !== '' && !Array.isArray(verdictsFile)) unreadable.push('verdicts.json')
  if (criteria.dropped > 0) {
    unreadable.push(droppedCriteria(criteria.dropped, criteria.items.length))
  }
  const snapshots = await readSnapshots(dir)
  if (meta.status === 'running' && !writerAlive(meta)) meta.status = 'interrupted'
  return {
    dir,
    meta,
    samples: samples.items,
    events: events.items,
    latency,
    verdicts: Array.isArray(verdictsFile) ? criteria.items : null,
    snapshots,
    skippedLines: samples.skipped + events.skipped,
    ...(unreadable.length > 0 ? { unreadable } : {})
  }
}

/** "2 of the 5 criteria in verdicts.json", "all 3 …", "the criterion …". */
function droppedCriteria(dropped: number, kept: number): string {
  if (kept > 0) return `${dropped} of the ${dropped + kept} criteria in verdicts.json`
  return dropped === 1
    ? 'the criterion in verdicts.json'
    : `all ${dropped} criteria in verdicts.json`
}

/** The earliest sample's time: the start of a session.json that gives none (0 without samples). */
function firstTime(samples: readonly Sample[]): number {
  const min = samples.reduce((acc, x) => Math.min(acc, x.t), Infinity)
  return Number.isFinite(min) ? min : 0
}

async function readSessionJson(dir: string): Promise<string> {
  try {
    return await readFile(join(dir, 'session.json'), 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code !== 'ENOENT') {
      throw new ProfilerError(
        'SESSION_INVALID',
        `cannot read ${join(dir, 'session.json')}: ${code ?? String(e)}`
      )
    }
    throw new ProfilerError(
      'SESSION_INVALID',
      (await folderOfSessions(dir)) ?? `${dir} is not a session directory: session.json is missing`
    )
  }
}

/**
 * The one line for a folder that holds sessions instead of being one, null when it holds
 * none. `run all --out DIR` writes one session per scenario under DIR, and DIR is the path a
 * user has at hand: name a session in it.
 */
export async function folderOfSessions(dir: string): Promise<string | null> {
  const inside = await listSessionDirs(dir)
  // Oldest: for `run all`, the first scenario it ran.
  const first = inside.at(-1)
  if (first === undefined) return null
  const count = inside.length === 1 ? 'one session' : `${inside.length} sessions`
  return `${dir} is not a session directory but a folder of ${count}: name one, e.g. ${first}`
}

/**
 * An NDJSON file, plain or gzipped (`file` + `.gz`; plain wins when both exist). Null when
 * neither exists; any other read error fails with SESSION_INVALID.
 */
async function readNdjsonFile(dir: string, file: string): Promise<string | null> {
  const plain = await readFile(join(dir, file), 'utf8').catch((e: unknown) => errorOrNull(e))
  if (typeof plain === 'string') return plain
  if (plain instanceof Error) throw unreadable(dir, file, plain)
  const gz = await readFile(join(dir, `${file}.gz`)).catch((e: unknown) => errorOrNull(e))
  if (gz instanceof Error) throw unreadable(dir, `${file}.gz`, gz)
  if (gz === null) return null
  try {
    // Sync flush: a stream cut off by a crash yields what it holds instead of failing; the
    // torn line at its end is then skipped and counted by parseNdjson.
    return gunzipSync(gz, { finishFlush: zlibConstants.Z_SYNC_FLUSH }).toString('utf8')
  } catch (e) {
    throw unreadable(dir, `${file}.gz`, e as Error)
  }
}

/** ENOENT is "absent" (null); anything else is kept as the error. */
function errorOrNull(e: unknown): Error | null {
  return (e as NodeJS.ErrnoException).code === 'ENOENT' ? null : (e as Error)
}

function unreadable(dir: string, file: string, e: Error): ProfilerError {
  const code = (e as NodeJS.ErrnoException).code
  return new ProfilerError(
    'SESSION_INVALID',
    `cannot read ${join(dir, file)}: ${code ?? e.message}`
  )
}

async function readOptional(dir: string, file: string): Promise<string> {
  return readFile(join(dir, file), 'utf8').catch(() => '')
}

/**
 * session.json as DESIGN.md has it, and as a person writes one by hand around samples from
 * elsewhere: the minimum is "scenario, pid, start". So `pid` may stand at the top
 * level instead of in `target`, the start may be `start` instead of `startedAt`, and either
 * may be an ISO date. A start that is missing altogether is the first sample's time
 * (readSession sets it: `startGiven` false). Only a missing scenario, or a start that is
 * there but is no time, is an error, which names the field.
 */
function parseMeta(
  text: string,
  dir: string
): { meta: SessionMeta; startGiven: boolean; dropped: string[] } {
  const file = join(dir, 'session.json')
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    throw new ProfilerError('SESSION_INVALID', `${file} is not valid JSON`)
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ProfilerError('SESSION_INVALID', `${file} is not a JSON object`)
  }
  const m = raw as Record<string, unknown>
  if (typeof m.scenario !== 'string' || m.scenario === '') {
    throw new ProfilerError(
      'SESSION_INVALID',
      `${file} lacks scenario (a scenario id, or "sample")`
    )
  }
  const target =
    m.target && typeof m.target === 'object' && !Array.isArray(m.target)
      ? (m.target as Record<string, unknown>)
      : {}
  const pid = typeof target.pid === 'number' ? target.pid : typeof m.pid === 'number' ? m.pid : null
  const startField = m.startedAt !== undefined ? 'startedAt' : 'start'
  const startedAt = timeOf(m[startField])
  if (startedAt === undefined) {
    throw new ProfilerError(
      'SESSION_INVALID',
      `${file}: ${startField} is not a time (ms since the epoch, or an ISO date)`
    )
  }
  const endedAt = timeOf(m.endedAt)
  const meta: SessionMeta = {
    ...m,
    schemaVersion: 1,
    scenario: m.scenario,
    target: { ...target, pid },
    startedAt: startedAt ?? 0,
    endedAt: endedAt ?? null,
    status: typeof m.status === 'string' ? m.status : 'interrupted'
  }
  const dropped = [
    ...(endedAt === undefined ? ['endedAt'] : []),
    ...(m.status !== undefined && typeof m.status !== 'string' ? ['status'] : []),
    ...dropMistypedMetaFields(meta)
  ]
  return { meta, startGiven: startedAt !== null, dropped }
}

/** Ms since the epoch from a number or an ISO date; null when absent, undefined when not a time. */
function timeOf(v: unknown): number | null | undefined {
  if (v === undefined || v === null) return null
  if (typeof v === 'number') return isTime(v) ? v : undefined
  if (typeof v === 'string' && v.trim() !== '') {
    const t = Date.parse(v)
    return isTime(t) ? t : undefined
  }
  return undefined
}

/** One JSON value per line; unparseable or foreign lines are skipped and counted. */
export function parseNdjson<T>(
  text: string,
  accept: (v: unknown) => boolean
): { items: T[]; skipped: number } {
  const items: T[] = []
  let skipped = 0
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    try {
      const v: unknown = JSON.parse(line)
      if (accept(v)) items.push(v as T)
      else skipped++
    } catch {
      skipped++
    }
  }
  return { items, skipped }
}

function parseJsonOptional<T>(text: string): T | null {
  if (text.trim() === '') return null
  try {
    return JSON.parse(text) as T
  } catch {
    return null
  }
}

async function readSnapshots(dir: string): Promise<SessionData['snapshots']> {
  const names = await readdir(join(dir, 'snapshots')).catch(() => [] as string[])
  const out: SessionData['snapshots'] = []
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const file = join('snapshots', name)
    const snapshot = parseJsonOptional<unknown>(await readOptional(dir, file))
    if (snapshot !== null) out.push({ name: name.slice(0, -'.json'.length), file, snapshot })
  }
  return out
}

/** A `running` session whose writer process is gone was interrupted. */
function writerAlive(meta: SessionMeta): boolean {
  const pid = meta.writerPid
  if (typeof pid !== 'number') return false
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Session directories under a folder (e.g. ./profiler-sessions), newest first: those directly
 * in it, and those one level down in a folder that is not itself a session — `run all`
 * records ./profiler-sessions/<timestamp>-all/<scenario>.
 */
export async function listSessionDirs(root: string): Promise<string[]> {
  const dirs: { dir: string; startedAt: number }[] = []
  for (const dir of await subdirs(root)) {
    const startedAt = await sessionStart(dir)
    if (startedAt !== null) {
      dirs.push({ dir, startedAt })
      continue
    }
    for (const inner of await subdirs(dir)) {
      const innerStart = await sessionStart(inner)
      if (innerStart !== null) dirs.push({ dir: inner, startedAt: innerStart })
    }
  }
  return dirs.sort((a, b) => b.startedAt - a.startedAt).map((d) => d.dir)
}

async function subdirs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => join(dir, e.name))
}

/** The start a session.json in `dir` gives (0 without one); null when there is no session. */
async function sessionStart(dir: string): Promise<number | null> {
  const text = await readFile(join(dir, 'session.json'), 'utf8').catch(() => null)
  if (text === null) return null
  try {
    const m = JSON.parse(text) as { startedAt?: unknown; start?: unknown }
    return timeOf(m.startedAt ?? m.start) ?? 0
  } catch {
    return null
  }
}
