/**
 * The recorded sessions the app shows: listed from one or more folders (the app's own and
 * the CLI's ./profiler-sessions), opened, deleted. A session is named by its directory, and
 * only a directory directly inside one of those folders, or inside a `run all` folder there,
 * is ever read or deleted, whatever path a caller sends.
 */
import { existsSync } from 'node:fs'
import { rm, stat } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import type { SessionSummary, SessionView, SnapshotSummary } from '../../shared/api'
import { latencyHistograms } from '../analysis/latency'
import { envelopeSamples } from '../session/envelope'
import { isKnownEventType } from '../session/shapes'
import { ProfilerError } from '../../shared/errors'
import type { CriterionResult, SessionData } from '../../shared/session'
import type { Engine } from './engine'

export class SessionStore {
  readonly roots: string[]

  constructor(
    roots: string[],
    private readonly engine: Pick<Engine, 'readSession' | 'listSessionDirs'>
  ) {
    this.roots = [...new Set(roots.map((r) => resolve(r)))]
  }

  /** Where new runs are recorded. */
  get recordingRoot(): string {
    return this.roots[0] as string
  }

  async list(): Promise<SessionSummary[]> {
    const dirs = (await Promise.all(this.roots.map((r) => this.engine.listSessionDirs(r)))).flat()
    const out: SessionSummary[] = []
    for (const dir of dirs) {
      const data = await this.engine.readSession(dir).catch(() => null)
      if (data) out.push(summarize(data, this.nameOf(data.dir)))
    }
    return out.sort((a, b) => b.startedAt - a.startedAt)
  }

  /** Reads a session after checking it lies in one of the folders. */
  async read(dir: string): Promise<SessionData> {
    return this.engine.readSession(this.resolveDir(dir))
  }

  async open(dir: string): Promise<SessionView> {
    const data = await this.read(dir)
    return {
      summary: summarize(data, this.nameOf(data.dir)),
      meta: data.meta,
      samples: envelopeSamples(data.samples),
      sampleCount: data.samples.length,
      // The reader checked each event of a known type against its shape: one of a type this
      // version does not know does not cross the API.
      events: data.events.filter(isKnownEventType),
      latency: data.latency,
      // Decoded here: the renderer gets bars, never HdrHistogram bytes to decode.
      latencyHistograms: latencyHistograms(data.latency),
      verdicts: data.verdicts,
      snapshots: sessionSnapshots(data),
      skippedLines: data.skippedLines
    }
  }

  async delete(dir: string): Promise<void> {
    const path = this.resolveDir(dir)
    // Read first: only a real session directory is removed, never an arbitrary folder.
    await this.engine.readSession(path)
    await rm(path, { recursive: true, force: true })
  }

  /**
   * The absolute directory, or SESSION_INVALID when it is not a session folder of ours:
   * directly in a sessions folder, or in a folder there that is not itself a session (where
   * `run all` records its scenarios).
   */
  resolveDir(dir: string): string {
    const path = resolve(dir)
    const parent = dirname(path)
    const inRoot = this.roots.includes(parent)
    const inGroup =
      this.roots.includes(dirname(parent)) &&
      !basename(parent).startsWith('.') &&
      !existsSync(join(parent, 'session.json'))
    if (!(inRoot || inGroup) || basename(path).startsWith('.')) {
      throw new ProfilerError(
        'SESSION_INVALID',
        `${dir} is not in a sessions folder (${this.roots.join(', ')})`
      )
    }
    return path
  }

  /** A session's name in lists: its folder, and the `run all` folder holding it if any. */
  nameOf(dir: string): string {
    const parent = dirname(dir)
    return this.roots.includes(parent) ? basename(dir) : join(basename(parent), basename(dir))
  }

  async exists(dir: string): Promise<boolean> {
    return stat(dir).then(
      (s) => s.isDirectory(),
      () => false
    )
  }
}

/** `name`: what lists show (SessionStore.nameOf). */
export function summarize(data: SessionData, name: string): SessionSummary {
  const verdicts: CriterionResult[] = data.verdicts ?? []
  return {
    dir: data.dir,
    name,
    scenario: data.meta.scenario,
    status: data.meta.status,
    startedAt: data.meta.startedAt,
    endedAt: data.meta.endedAt,
    target: {
      pid: data.meta.target.pid,
      url: typeof data.meta.target.url === 'string' ? data.meta.target.url : null,
      version: typeof data.meta.target.version === 'string' ? data.meta.target.version : null
    },
    criteriaPassed: verdicts.filter((v) => v.pass === true).length,
    criteriaFailed: verdicts.filter((v) => v.pass === false).length,
    criteriaUnmeasured: verdicts.filter((v) => v.pass === null).length
  }
}

/** Snapshot ids of a session: `<dir>#<name>` (see SnapshotSummary). */
export function sessionSnapshots(data: SessionData): SnapshotSummary[] {
  const out: SnapshotSummary[] = []
  for (const s of data.snapshots) {
    const snap = s.snapshot as {
      t?: unknown
      pid?: unknown
      label?: unknown
      totals?: { rssBytes?: unknown }
    } | null
    if (!snap || typeof snap.t !== 'number' || typeof snap.pid !== 'number') continue
    out.push({
      id: `${data.dir}#${s.name}`,
      t: snap.t,
      pid: snap.pid,
      label: typeof snap.label === 'string' ? snap.label : s.name,
      rssBytes: typeof snap.totals?.rssBytes === 'number' ? snap.totals.rssBytes : 0
    })
  }
  return out.sort((a, b) => a.t - b.t)
}
