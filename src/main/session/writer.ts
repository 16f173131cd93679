/**
 * Records a run into a session directory (DESIGN.md "Session directory", a contract),
 * append-only and crash-safe: samples and events are buffered and written to the kernel
 * on a clock (STYLE.md §16, k6 flushes every 200 ms), so a `kill -9` of the profiler loses
 * at most the last interval. session.json is replaced atomically (write + rename) and says
 * `running` until the run ends; a reader that finds `running` with no live writer knows
 * the run was interrupted.
 */
import { closeSync, mkdirSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import type { Sample } from '../../shared/sample'
import type { SessionEvent } from '../../shared/session'

/** Flush period: well under the contract's "at most the last second lost". */
export const FLUSH_INTERVAL_MS = 200

/** The fields every session.json has (readers accept any extra ones). */
export interface SessionMetaBase {
  schemaVersion: 1
  scenario: string
  target: { pid: number | null; url?: string; version?: string; [k: string]: unknown }
  startedAt: number
  endedAt: number | null
  status: string
  [k: string]: unknown
}

/** What a writer starts from: the required fields, plus whatever else the run knows. */
export interface SessionStart {
  scenario: string
  target: SessionMetaBase['target']
  startedAt: number
  [k: string]: unknown
}

/** Any event line: a time, a type, and whatever fields the type carries. */
export interface EventLine {
  t: number
  type: string
  [k: string]: unknown
}

export class SessionWriter {
  private readonly samplesFd: number
  private readonly eventsFd: number
  private pendingSamples: string[] = []
  private pendingEvents: string[] = []
  private readonly timer: NodeJS.Timeout
  private closed = false
  private meta: SessionMetaBase

  constructor(
    readonly dir: string,
    meta: SessionStart,
    flushIntervalMs = FLUSH_INTERVAL_MS
  ) {
    mkdirSync(join(dir, 'snapshots'), { recursive: true })
    // writerPid lets a reader tell a live run from one whose profiler was killed.
    this.meta = {
      schemaVersion: 1,
      endedAt: null,
      status: 'running',
      writerPid: process.pid,
      ...meta
    }
    this.writeJson('session.json', this.meta)
    this.samplesFd = openSync(join(dir, 'samples.ndjson'), 'a')
    this.eventsFd = openSync(join(dir, 'events.ndjson'), 'a')
    this.timer = setInterval(() => this.flush(), flushIntervalMs)
    this.timer.unref()
  }

  appendSample(sample: Sample): void {
    if (!this.closed) this.pendingSamples.push(JSON.stringify(sample))
  }

  appendEvent(event: SessionEvent | EventLine): void {
    if (!this.closed) this.pendingEvents.push(JSON.stringify(event))
  }

  /** Merges fields into session.json now (e.g. the server version once known). */
  updateMeta(fields: Partial<SessionMetaBase>): void {
    this.meta = { ...this.meta, ...fields }
    this.writeJson('session.json', this.meta)
  }

  writeSnapshot(name: string, snapshot: unknown): string {
    const file = join('snapshots', `${name.replace(/[^\w.-]/g, '_')}.json`)
    this.writeJson(file, snapshot)
    return file
  }

  writeLatency(latency: unknown): void {
    this.writeJson('latency.json', latency)
  }

  writeVerdicts(verdicts: unknown): void {
    this.writeJson('verdicts.json', verdicts)
  }

  /** Writes what is buffered to the kernel: from here on a crash of ours cannot lose it. */
  flush(): void {
    if (this.pendingSamples.length > 0) {
      writeSync(this.samplesFd, this.pendingSamples.join('\n') + '\n')
      this.pendingSamples = []
    }
    if (this.pendingEvents.length > 0) {
      writeSync(this.eventsFd, this.pendingEvents.join('\n') + '\n')
      this.pendingEvents = []
    }
  }

  /** Ends the session with its final status; idempotent. */
  finish(status: string, endedAt = Date.now()): void {
    if (this.closed) return
    this.flush()
    this.closed = true
    clearInterval(this.timer)
    closeSync(this.samplesFd)
    closeSync(this.eventsFd)
    this.updateMeta({ status, endedAt })
  }

  private writeJson(file: string, value: unknown): void {
    const path = join(this.dir, file)
    const tmp = `${path}.tmp-${process.pid}`
    writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n')
    renameSync(tmp, path)
  }
}
