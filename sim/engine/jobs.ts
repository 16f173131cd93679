/**
 * Background jobs as `system.jobs` shows them: ids `<prefix>-<12 hex>`, statuses
 * new → running → completed|failed, an idempotency key that makes a second flush of the same
 * table while one is queued or running a "skipped" outcome (PROTOCOL.md §7).
 */
import { randomBytes } from 'node:crypto'

export type JobStatus =
  'new' | 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'skipped'

export interface Job {
  jobId: string
  jobType: string
  status: JobStatus
  parameters: string
  message: string | null
  exceptionTrace: string | null
  idempotencyKey: string | null
  createdAt: number
  updatedAt: number
  startedAt: number | null
  finishedAt: number | null
}

/** Finished jobs kept for system.jobs (KalamDB's job-cleanup job trims them the same way). */
const MAX_FINISHED_JOBS = 1000

export class Jobs {
  private readonly jobs = new Map<string, Job>()
  private readonly timers = new Set<NodeJS.Timeout>()
  private closed = false

  /** The unfinished job holding an idempotency key, if any. */
  active(idempotencyKey: string): Job | undefined {
    for (const j of this.jobs.values()) {
      if (
        j.idempotencyKey === idempotencyKey &&
        (j.status === 'new' || j.status === 'queued' || j.status === 'running')
      ) {
        return j
      }
    }
    return undefined
  }

  /**
   * Creates a job and runs `work` after a short queueing step, so a poller sees `new` and then
   * `running` before the terminal status. `work` returns the completion message.
   */
  start(
    prefix: string,
    jobType: string,
    parameters: Record<string, unknown>,
    idempotencyKey: string | null,
    work: () => Promise<string>
  ): Job {
    const now = Date.now() * 1000
    const job: Job = {
      jobId: `${prefix}-${randomBytes(6).toString('hex')}`,
      jobType,
      status: 'new',
      parameters: JSON.stringify(parameters),
      message: null,
      exceptionTrace: null,
      idempotencyKey,
      createdAt: now,
      updatedAt: now,
      startedAt: null,
      finishedAt: null
    }
    this.jobs.set(job.jobId, job)
    this.later(5, () => {
      job.status = 'running'
      job.startedAt = job.updatedAt = Date.now() * 1000
      this.later(5, () => {
        work().then(
          (message) => this.finish(job, 'completed', message, null),
          (e: unknown) =>
            this.finish(job, 'failed', 'Job failed', e instanceof Error ? e.message : String(e))
        )
      })
    })
    this.trim()
    return job
  }

  list(): Job[] {
    return Array.from(this.jobs.values())
  }

  count(status: JobStatus): number {
    let n = 0
    for (const j of this.jobs.values()) if (j.status === status) n++
    return n
  }

  get size(): number {
    return this.jobs.size
  }

  /** Waits for unfinished jobs (graceful shutdown), at most `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (
      Date.now() < deadline &&
      this.list().some((j) => j.status === 'new' || j.status === 'running')
    ) {
      await new Promise((r) => setTimeout(r, 10))
    }
    this.closed = true
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
  }

  private finish(job: Job, status: JobStatus, message: string, trace: string | null): void {
    job.status = status
    job.message = message
    job.exceptionTrace = trace
    job.finishedAt = job.updatedAt = Date.now() * 1000
  }

  private later(ms: number, fn: () => void): void {
    if (this.closed) return
    const t = setTimeout(() => {
      this.timers.delete(t)
      fn()
    }, ms)
    this.timers.add(t)
  }

  private trim(): void {
    if (this.jobs.size <= MAX_FINISHED_JOBS) return
    for (const [id, j] of this.jobs) {
      if (this.jobs.size <= MAX_FINISHED_JOBS) break
      if (j.status === 'completed' || j.status === 'failed' || j.status === 'skipped')
        this.jobs.delete(id)
    }
  }
}
