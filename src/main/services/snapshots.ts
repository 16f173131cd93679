/**
 * Memory-map snapshots taken from the UI ("take snapshot now") and the diff of any two,
 * live or recorded. Live ones are kept in memory (the last 50) and, while a scenario runs,
 * also written into its session's snapshots/ folder so the report can use them.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { SnapshotSummary } from '../../shared/api'
import { MemorySnapshotSchema } from '../../shared/api-schemas'
import { ProfilerError } from '../../shared/errors'
import type { MemorySnapshot, SnapshotDiff } from '../../shared/snapshot'
import type { Engine } from './engine'
import { sessionSnapshots, type SessionStore } from './session-store'

const KEEP = 50

export class SnapshotService {
  private readonly live: { id: string; snapshot: MemorySnapshot }[] = []
  private counter = 0

  constructor(
    private readonly engine: Pick<Engine, 'takeSnapshot' | 'diffSnapshots'>,
    private readonly sessions: SessionStore
  ) {}

  async take(
    pid: number,
    label: string | undefined,
    runDir: string | null
  ): Promise<SnapshotSummary> {
    const snapshot = await this.engine.takeSnapshot(pid, label === undefined ? {} : { label })
    const n = ++this.counter
    const id = `live:${n}`
    this.live.push({ id, snapshot })
    if (this.live.length > KEEP) this.live.shift()
    if (runDir) {
      await mkdir(join(runDir, 'snapshots'), { recursive: true })
      await writeFile(join(runDir, 'snapshots', `ui-${n}.json`), JSON.stringify(snapshot))
    }
    return summary(id, snapshot)
  }

  /** Live snapshots and those of the given session, oldest first. */
  async list(dir: string | undefined): Promise<SnapshotSummary[]> {
    const out = this.live.map((l) => summary(l.id, l.snapshot))
    if (dir) out.push(...sessionSnapshots(await this.sessions.read(dir)))
    return out.sort((a, b) => a.t - b.t)
  }

  async diff(before: string, after: string): Promise<SnapshotDiff> {
    const [a, b] = await Promise.all([this.resolve(before), this.resolve(after)])
    return this.engine.diffSnapshots(a, b)
  }

  private async resolve(id: string): Promise<MemorySnapshot> {
    if (id.startsWith('live:')) {
      const hit = this.live.find((l) => l.id === id)
      if (!hit)
        throw new ProfilerError('BAD_INPUT', `no snapshot ${id} (only the last ${KEEP} are kept)`)
      return hit.snapshot
    }
    const at = id.lastIndexOf('#')
    if (at <= 0) throw new ProfilerError('BAD_INPUT', `invalid snapshot id '${id}'`)
    const data = await this.sessions.read(id.slice(0, at))
    const name = id.slice(at + 1)
    const found = data.snapshots.find((s) => s.name === name)
    const parsed = MemorySnapshotSchema.safeParse(found?.snapshot)
    if (!parsed.success)
      throw new ProfilerError('SESSION_INVALID', `snapshot '${name}' is missing or unreadable`)
    return parsed.data as MemorySnapshot
  }
}

function summary(id: string, s: MemorySnapshot): SnapshotSummary {
  return { id, t: s.t, pid: s.pid, label: s.label ?? null, rssBytes: s.totals.rssBytes }
}
