/**
 * The connections of one run — its own login and the workload users' clients — and what the
 * run created on the server (namespace, table, users), with the cleanup that drops it again.
 * Cleanup never throws: what it cannot drop becomes a warning in the session.
 */
import { ProfilerError } from '../../shared/errors'
import type { Credentials, KalamClient } from '../target/types'
import { createStatements, dropStatements, type RunObjects } from '../workload/schema'
import { safeTrySql } from '../workload/types'
import { dropUsers, provisionUsers, type Provisioned, type UserPlan } from '../workload/users'
import type { RunnerDeps } from './deps'

/** Cleanup SQL and reconnects must not hang a run that is ending. */
const CLEANUP_TIMEOUT_MS = 15_000

export class RunConnections {
  private provisioned: Provisioned | null = null
  private readonly createdUsers: string[] = []
  private tableCreated = false

  constructor(
    private admin: KalamClient | null,
    private readonly o: {
      url: string
      credentials: Credentials
      deps: RunnerDeps
      objects: RunObjects
      plan: UserPlan
    }
  ) {}

  /** The run's own login; throws after close (a quiet phase closes every connection). */
  requireAdmin(): KalamClient {
    if (!this.admin) throw new ProfilerError('INTERNAL', 'the run has closed its connections')
    return this.admin
  }

  get adminOrNull(): KalamClient | null {
    return this.admin
  }

  requireProvisioned(): Provisioned {
    if (!this.provisioned) throw new ProfilerError('INTERNAL', 'workload users not ready')
    return this.provisioned
  }

  /** Creates the namespace and table, then the workload users the plan needs. */
  async setUp(signal: AbortSignal): Promise<void> {
    const admin = this.requireAdmin()
    for (const sql of createStatements(this.o.objects)) await admin.sql(sql, { signal })
    this.tableCreated = true
    this.provisioned = await provisionUsers(
      {
        admin,
        connect: (c) => this.o.deps.connect(c),
        url: this.o.url,
        plan: this.o.plan,
        tag: this.o.objects.tag,
        signal
      },
      this.createdUsers
    )
  }

  /** Closes every client (the run's login too). */
  async closeAll(): Promise<void> {
    const clients = this.provisioned?.clients ?? []
    this.provisioned = null
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)))
    const admin = this.admin
    this.admin = null
    await admin?.close().catch(() => undefined)
  }

  /**
   * Drops what the run created (unless keep; logging in again after a quiet phase), then
   * closes every client. Returns what to record: markers and warnings.
   */
  async cleanUp(keep: boolean): Promise<{ markers: string[]; warnings: string[] }> {
    const markers: string[] = []
    const warnings: string[] = []
    const workloadClients = this.provisioned?.clients ?? []
    await Promise.all(workloadClients.map((c) => c.close().catch(() => undefined)))
    if (this.provisioned) this.provisioned.clients.length = 0
    const { objects } = this.o
    const users = this.createdUsers.length > 0 ? ` and users ${this.createdUsers.join(', ')}` : ''
    if (this.tableCreated || this.createdUsers.length > 0) {
      if (keep) markers.push(`kept ${objects.table}${users} (--keep)`)
      else {
        const admin = await this.reconnect()
        if (!admin) warnings.push(`could not log in again to drop ${objects.namespace}${users}`)
        else {
          const guard = AbortSignal.timeout(CLEANUP_TIMEOUT_MS)
          for (const sql of dropStatements(objects)) {
            const out = await safeTrySql(admin, sql, { signal: guard })
            if (!out.ok) warnings.push(`cleanup: ${sql}: ${out.error.message}`)
          }
          warnings.push(...(await dropUsers(admin, this.createdUsers)))
        }
      }
    }
    await this.closeAll()
    return { markers, warnings }
  }

  private async reconnect(): Promise<KalamClient | null> {
    if (this.admin) return this.admin
    try {
      this.admin = await this.o.deps.connect({
        url: this.o.url,
        credentials: this.o.credentials,
        signal: AbortSignal.timeout(CLEANUP_TIMEOUT_MS)
      })
      return this.admin
    } catch {
      return null
    }
  }
}
