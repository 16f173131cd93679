/**
 * One run from session creation to verdicts: the ScenarioContext a definition drives, the
 * sampler and server polls feeding samples, crash detection, the once-a-second tick
 * (counters event, error events, progress), teardown and cleanup. See runner.ts for the
 * entry point and its guarantees.
 */
import { ProfilerError, isProfilerError } from '../../shared/errors'
import type { RunProgress, RunResult, ScenarioId } from '../../shared/run'
import type { Sample } from '../../shared/sample'
import type { CriterionResult, PhaseName, SessionEvent, SessionStatus } from '../../shared/session'
import type { Health, KalamClient, ServerLimits, ServerStats } from '../target/types'
import { SessionWriter } from '../session/writer'
import { machineInfo } from '../session/machine'
import { PROFILER_VERSION } from '../version'
import { linkedAbort, nowMs, sleep } from '../workload/clock'
import { ErrorTally, createCounters } from '../workload/counters'
import { startFlusher, type Flusher, type FlushRecord } from '../workload/flusher'
import { watchHealth, type HealthWatch } from '../workload/health'
import { LatencyRecorder } from '../workload/latency'
import { startProber, type Prober } from '../workload/prober'
import { createRamp, type RampOptions, type RampResult } from '../workload/ramp'
import {
  createStatements,
  dropStatements,
  probeSql,
  runObjects,
  type RunObjects
} from '../workload/schema'
import { MIN_STATS_POLL_INTERVAL_MS, toServerFigures } from '../target/stats'
import { startStatsPoller, type StatsPoller } from '../workload/stats-poller'
import { startSubscribers, type SubscriberGroup } from '../workload/subscribers'
import { safeTrySql, type Stoppable, type WorkloadSink } from '../workload/types'
import { dropUsers, provisionUsers, type Provisioned, type UserPlan } from '../workload/users'
import {
  IdAllocator,
  startWriters,
  type InsertObservation,
  type WriterPool
} from '../workload/writers'
import type { RunningSampler } from '../sampler/types'
import type { ScenarioContext, PhaseOptions } from './context'
import { allPassed, failForCrash } from './criteria'
import type { ScenarioDefinition } from './definition'
import type { RunnerDeps } from './deps'
import type { Params } from './params'
import type { RunRecord } from './record'
import type { RunHooks, RunOptions } from './runner'

/** Default sampler interval: the seed measures CPU "every 1 second". */
const DEFAULT_SAMPLE_INTERVAL_MS = 1000
/** system.stats poll period during load phases (≥ 2 s, see stats-poller.ts). */
const STATS_INTERVAL_MS = 3000
/** Cleanup SQL and reconnects must not hang a run that is ending. */
const CLEANUP_TIMEOUT_MS = 15_000

export interface ScenarioRunInit {
  id: ScenarioId
  def: ScenarioDefinition
  params: Params
  options: RunOptions
  hooks: RunHooks
  deps: RunnerDeps
  admin: KalamClient
  plan: UserPlan
  limits: ServerLimits | null
  health: Health
  firstStats: ServerStats | null
}

export class ScenarioRun {
  private readonly id: ScenarioId
  private readonly def: ScenarioDefinition
  private readonly options: RunOptions
  private readonly hooks: RunHooks
  private readonly deps: RunnerDeps
  private readonly plan: UserPlan
  private admin: KalamClient | null
  private readonly writer: SessionWriter
  private readonly record: RunRecord
  private readonly sink: WorkloadSink
  private readonly abort: ReturnType<typeof linkedAbort>
  private readonly objects: RunObjects
  private readonly ids = new IdAllocator()
  private readonly parts: Stoppable[] = []
  private readonly groups: SubscriberGroup[] = []
  private readonly createdUsers: string[] = []
  private provisioned: Provisioned | null = null
  private currentPool: WriterPool | null = null
  private rampObserver: ((o: InsertObservation) => void) | null = null
  private sampler: RunningSampler | null = null
  private healthWatch: HealthWatch | null = null
  private readonly poller: StatsPoller
  private tickTimer: NodeJS.Timeout | null = null
  private scenarioStart: number | null = null
  private lastSample: Sample | null = null
  private rateWindow: { t: number; inserts: number }[] = []
  private dataDir: string | null | undefined = undefined
  private runError: unknown = null
  private tableCreated = false

  constructor(init: ScenarioRunInit) {
    this.id = init.id
    this.def = init.def
    this.options = init.options
    this.hooks = init.hooks
    this.deps = init.deps
    this.plan = init.plan
    this.admin = init.admin
    this.abort = linkedAbort(init.options.signal)
    this.objects = runObjects()
    const startedAt = Date.now()
    this.record = {
      scenario: init.id,
      params: init.params,
      pid: init.options.pid,
      startedAt,
      phases: [],
      samples: [],
      counters: createCounters(),
      latency: new LatencyRecorder(),
      errors: new ErrorTally(),
      stats: [],
      flushes: [],
      subscribers: [],
      ramp: null,
      measures: {},
      crash: null
    }
    this.sink = {
      counters: this.record.counters,
      latency: this.record.latency,
      errors: this.record.errors,
      event: (e) => this.emit(e)
    }
    const target: Record<string, unknown> = { pid: init.options.pid, url: init.options.url }
    const version = init.health.version ?? init.firstStats?.version
    const buildDate = init.health.buildDate ?? init.firstStats?.buildDate
    if (version) target['version'] = version
    if (buildDate) target['buildDate'] = buildDate
    if (init.firstStats?.gitCommit) target['gitCommit'] = init.firstStats.gitCommit
    this.writer = new SessionWriter(init.options.outDir, {
      scenario: init.id,
      target: target as { pid: number | null },
      startedAt,
      parameters: init.params,
      quick: init.options.quick,
      machine: machineInfo(),
      profilerVersion: PROFILER_VERSION,
      ...(init.options.command ? { command: init.options.command } : {}),
      workload: {
        namespace: this.objects.namespace,
        table: this.objects.table,
        workloadUsers: init.plan.writerUsers + init.plan.subscriberUsers,
        writers: init.plan.writers,
        notes: init.plan.notes,
        limits: init.limits
      }
    })
    this.poller = startStatsPoller({
      client: { stats: () => this.requireAdmin().stats() },
      intervalMs: STATS_INTERVAL_MS,
      signal: this.abort.signal,
      onStats: (s) => this.onStats(s),
      onError: (e) => this.record.errors.add('stats', codeOf(e), messageOf(e), null)
    })
  }

  async execute(): Promise<RunResult> {
    this.tickTimer = setInterval(() => this.tick(), 1000)
    try {
      this.phase('setup')
      this.startWatching()
      await this.setUp()
      await this.def.run(this.context())
    } catch (e) {
      if (!this.abort.signal.aborted || !isCancel(e)) this.runError = e
    }
    return this.finish()
  }

  // ---------------------------------------------------------------- setup and teardown

  private async setUp(): Promise<void> {
    const admin = this.requireAdmin()
    for (const sql of createStatements(this.objects)) {
      await admin.sql(sql, { signal: this.abort.signal })
    }
    this.tableCreated = true
    this.provisioned = await provisionUsers(
      {
        admin,
        connect: (o) => this.deps.connect(o),
        url: this.options.url,
        plan: this.plan,
        tag: this.objects.tag,
        signal: this.abort.signal
      },
      this.createdUsers
    )
    if (this.plan.writerUsers + this.plan.subscriberUsers > 0) {
      this.mark(
        `workload users: ${this.plan.writerUsers} for writers, ${this.plan.subscriberUsers} for subscribers (${this.plan.notes.join('; ')})`
      )
    }
  }

  private async finish(): Promise<RunResult> {
    this.phase('teardown')
    await this.stopParts()
    if (this.options.pid !== null && !this.record.crash) await this.snapshot('end')
    if (!this.record.crash) await this.cleanUp()
    else await this.closeClients()
    if (this.tickTimer) clearInterval(this.tickTimer)
    await this.poller.stop()
    this.healthWatch?.stop()
    await this.sampler?.stop().catch(() => undefined)
    this.closePhase()
    this.refreshSubscribers()
    this.emitCounters(Date.now())

    let verdicts = this.def.evaluate(this.record, true)
    if (this.record.crash) verdicts = failForCrash(verdicts, this.record.crash)
    const status = this.status(verdicts)
    const endReason = this.endReason(status, verdicts)
    const t = Date.now()
    for (const v of verdicts) this.emit({ t, type: 'verdict', ...v })
    this.writer.writeLatency(this.record.latency.toFile())
    this.writer.writeVerdicts(verdicts)
    const ramp = this.record.ramp
    this.writer.updateMeta({
      ...(endReason ? { endReason } : {}),
      counters: { ...this.record.counters },
      measures: this.record.measures,
      ...(ramp ? { ramp } : {}),
      ...(this.record.flushes.length > 0 ? { flushes: this.record.flushes } : {}),
      subscribers: this.record.subscribers
    })
    this.writer.finish(status, t)
    this.record.latency.destroy()
    this.abort.dispose()
    return {
      dir: this.options.outDir,
      scenario: this.id,
      status,
      verdicts,
      exitCode: status === 'passed' ? 0 : status === 'failed' || status === 'target-crashed' ? 1 : 2
    }
  }

  private status(verdicts: CriterionResult[]): SessionStatus {
    if (this.record.crash) return 'target-crashed'
    if (this.options.signal.aborted) return 'interrupted'
    if (this.runError) return 'error'
    return allPassed(verdicts) ? 'passed' : 'failed'
  }

  private endReason(status: SessionStatus, verdicts: CriterionResult[]): string | null {
    switch (status) {
      case 'target-crashed':
        return `The target exited during the run: ${this.record.crash?.message ?? ''}`.trim()
      case 'interrupted':
        return 'The run was cancelled before it ended.'
      case 'error':
        return `The run could not go on: ${messageOf(this.runError)}`
      case 'failed': {
        const failed = verdicts.filter((v) => v.pass === false).length
        const unmeasured = verdicts.filter((v) => v.pass === null).length
        return `${failed} criterion${failed === 1 ? '' : 'a'} failed${unmeasured > 0 ? `, ${unmeasured} could not be measured` : ''}.`
      }
      default:
        return null
    }
  }

  private async stopParts(): Promise<void> {
    const parts = this.parts.splice(0)
    await Promise.all(parts.map((p) => p.stop().catch(() => undefined)))
    this.currentPool = null
  }

  private async closeClients(): Promise<void> {
    const clients = this.provisioned?.clients ?? []
    this.provisioned = null
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)))
    const admin = this.admin
    this.admin = null
    await admin?.close().catch(() => undefined)
  }

  /** Drops what the run created (unless keep), then closes every client. Never throws. */
  private async cleanUp(): Promise<void> {
    const workloadClients = this.provisioned?.clients ?? []
    await Promise.all(workloadClients.map((c) => c.close().catch(() => undefined)))
    if (this.provisioned) this.provisioned.clients.length = 0
    const created = this.tableCreated || this.createdUsers.length > 0
    if (!created) return this.closeClients()
    if (this.options.keep) {
      this.mark(
        `kept ${this.objects.table}${this.createdUsers.length > 0 ? ` and users ${this.createdUsers.join(', ')}` : ''} (--keep)`
      )
      return this.closeClients()
    }
    const admin = await this.reconnectAdmin()
    if (!admin) {
      this.warn(
        `could not log in again to drop ${this.objects.namespace}${this.createdUsers.length > 0 ? ` and users ${this.createdUsers.join(', ')}` : ''}`
      )
      return this.closeClients()
    }
    const guard = AbortSignal.timeout(CLEANUP_TIMEOUT_MS)
    for (const sql of dropStatements(this.objects)) {
      const out = await admin.trySql(sql, { signal: guard }).catch(() => null)
      if (out && !out.ok) this.warn(`cleanup: ${sql}: ${out.error.message}`)
    }
    for (const w of await dropUsers(admin, this.createdUsers)) this.warn(w)
    await this.closeClients()
  }

  private async reconnectAdmin(): Promise<KalamClient | null> {
    if (this.admin) return this.admin
    try {
      this.admin = await this.deps.connect({
        url: this.options.url,
        credentials: this.options.credentials,
        signal: AbortSignal.timeout(CLEANUP_TIMEOUT_MS)
      })
      return this.admin
    } catch {
      return null
    }
  }

  private requireAdmin(): KalamClient {
    if (!this.admin) throw new ProfilerError('INTERNAL', 'the run has closed its connections')
    return this.admin
  }

  // ---------------------------------------------------------------- watching the target

  private startWatching(): void {
    const pid = this.options.pid
    if (pid !== null) {
      this.sampler = this.deps.startSampler(
        {
          pid,
          port: portOf(this.options.url),
          intervalMs: this.options.sampleIntervalMs ?? DEFAULT_SAMPLE_INTERVAL_MS,
          signal: this.abort.signal
        },
        {
          onSample: (s) => this.onSample(s),
          onExit: ({ t }) => this.onCrash(t, `process ${pid} exited`),
          onError: (e) => this.warn(`sampling stopped: ${e.message}`)
        }
      )
    } else {
      this.healthWatch = watchHealth(
        this.options.url,
        (t) => this.onCrash(t, `${this.options.url} stopped answering /health`),
        { check: (u) => this.deps.checkHealth(u) }
      )
    }
  }

  private onSample(s: Sample): void {
    const latest = this.poller.active ? this.poller.latest : null
    const sample: Sample = latest
      ? { ...s, wsConnections: latest.websocketSessions ?? null, server: toServerFigures(latest) }
      : { ...s, wsConnections: null }
    this.lastSample = sample
    this.record.samples.push(sample)
    this.writer.appendSample(sample)
    this.hooks.onSample?.(sample)
  }

  private onStats(s: ServerStats): void {
    this.record.stats.push(s)
    if (this.options.pid !== null) return
    // Without a pid the server's own figures are the only samples there are. Fields only
    // /proc can give are null ("not measured"), never zero.
    const rss = s.rssBytes ?? s.memoryBytes
    if (rss === undefined) return
    const unknown = null as unknown as number
    this.onSample({
      t: s.polledAt,
      pid: s.pid ?? 0,
      rssBytes: rss,
      pssBytes: null,
      ussBytes: null,
      heapBytes: unknown,
      fileMappedBytes: unknown,
      stackBytes: unknown,
      swapBytes: unknown,
      cpuPercent: s.cpuPercent ?? null,
      cpuUserPercent: null,
      cpuSystemPercent: null,
      threads: s.threads ?? unknown,
      fds: unknown,
      tcpConnections: unknown,
      portConnections: null,
      wsConnections: null
    })
  }

  private onCrash(t: number, message: string): void {
    if (this.record.crash) return
    this.record.crash = { t, message }
    this.emit({
      t: Date.now(),
      type: 'crash',
      pid: this.options.pid ?? 0,
      exitedAt: t,
      message
    })
    this.hooks.onNotice?.(`target crashed: ${message}`)
    this.abort.abort()
  }

  // ---------------------------------------------------------------- the clock

  private tick(): void {
    const t = Date.now()
    for (const g of this.groups) g.tick()
    this.refreshSubscribers()
    this.emitCounters(t)
    for (const e of this.record.errors.drain(t)) this.emit(e)
    this.rateWindow.push({ t: nowMs(), inserts: this.record.counters.inserts })
    if (this.rateWindow.length > 4) this.rateWindow.shift()
    if (this.hooks.onProgress) this.hooks.onProgress(this.progress(t))
  }

  private emitCounters(t: number): void {
    this.emit({ t, type: 'counters', ...this.record.counters })
  }

  private refreshSubscribers(): void {
    if (this.groups.length > 0) this.record.subscribers = this.groups.flatMap((g) => g.stats)
  }

  private progress(t: number): RunProgress {
    const c = this.record.counters
    const w = this.rateWindow
    const first = w[0]
    const last = w[w.length - 1]
    const rate =
      first && last && last.t > first.t
        ? ((last.inserts - first.inserts) / (last.t - first.t)) * 1000
        : 0
    const dropped = Math.max(c.droppedNotifications, ...this.groups.map((g) => g.droppedEstimate()))
    let criteria: CriterionResult[] = []
    try {
      criteria = this.def.evaluate(this.record, false)
    } catch {
      criteria = []
    }
    const currentPhase = this.record.phases[this.record.phases.length - 1]?.name ?? 'setup'
    return {
      t,
      scenario: this.id,
      phase: currentPhase,
      elapsedMs: this.scenarioStart === null ? 0 : t - this.scenarioStart,
      totalMs: this.def.plannedMs(this.record.params),
      achievedRatePerSec: Math.round(rate * 10) / 10,
      targetRatePerSec: this.currentPool ? this.currentPool.ratePerSec : null,
      rssBytes: this.lastSample?.rssBytes ?? null,
      inserts: c.inserts,
      errors: c.errors,
      rateLimited: c.rateLimited,
      notifications: c.notifications,
      droppedNotifications: dropped,
      disconnects: c.disconnects,
      criteria,
      latency: this.latencySoFar()
    }
  }

  private latencySoFar(): NonNullable<RunProgress['latency']> {
    const out: NonNullable<RunProgress['latency']> = {}
    for (const op of ['insert', 'query', 'notification', 'flush']) {
      const l = this.record.latency
      const count = l.count(op)
      if (count === 0) continue
      const ms = (q: number): number => Math.round((l.percentileUs(op, q) ?? 0) / 10) / 100
      out[op] = { count, p50Ms: ms(50), p95Ms: ms(95), p99Ms: ms(99) }
    }
    return out
  }

  // ---------------------------------------------------------------- the context

  private emit(e: SessionEvent): void {
    this.writer.appendEvent(e)
    this.hooks.onEvent?.(e)
  }

  private mark(label: string): void {
    this.emit({ t: Date.now(), type: 'marker', label })
  }

  private warn(message: string): void {
    this.emit({ t: Date.now(), type: 'warning', message })
    this.hooks.onNotice?.(message)
  }

  private closePhase(): void {
    const last = this.record.phases[this.record.phases.length - 1]
    if (last && last.to === null) last.to = Date.now()
  }

  private phase(name: PhaseName, options: PhaseOptions = {}): void {
    this.closePhase()
    const t = Date.now()
    // Progress counts from the first planned phase: setup (users, subscribers) is not planned.
    if (this.scenarioStart === null && name !== 'setup' && name !== 'teardown')
      this.scenarioStart = t
    this.record.phases.push({ name, from: t, to: null })
    this.emit({
      t,
      type: 'phase',
      phase: name,
      ...(options.plannedMs !== undefined ? { durationMs: options.plannedMs } : {})
    })
    const poll =
      options.pollServer ??
      (name === 'load' || (this.options.pid === null && name !== 'idle' && name !== 'teardown'))
    if (poll && this.admin && !this.abort.signal.aborted) this.poller.resume()
    else this.poller.pause()
    this.writer.writeLatency(this.record.latency.toFile())
  }

  private async snapshot(label: string): Promise<void> {
    const pid = this.options.pid
    if (pid === null || this.record.crash) return
    try {
      if (this.dataDir === undefined)
        this.dataDir = await this.deps.guessDataDir(pid).catch(() => null)
      const snap = await this.deps.takeSnapshot(pid, { dataDir: this.dataDir, label })
      const file = this.writer.writeSnapshot(label, snap)
      this.emit({ t: Date.now(), type: 'snapshot', file, label })
    } catch (e) {
      this.warn(`snapshot ${label} failed: ${messageOf(e)}`)
    }
  }

  private requireProvisioned(): Provisioned {
    if (!this.provisioned) throw new ProfilerError('INTERNAL', 'the workload users are not ready')
    return this.provisioned
  }

  private context(): ScenarioContext {
    const signal = this.abort.signal
    const guard = (): void => {
      if (signal.aborted) throw new ProfilerError('CANCELLED', 'the run was stopped')
    }
    return {
      params: this.record.params,
      quick: this.options.quick,
      signal,
      record: this.record,
      pid: this.options.pid,
      phase: (name, o) => this.phase(name, o),
      sleep: (ms) => sleep(ms, signal),
      snapshot: (label) => this.snapshot(label),
      readStats: async () => {
        // Never two polls within the floor (each one spawns lsof in KalamDB): wait it out.
        const last = this.record.stats.at(-1)?.polledAt
        if (last !== undefined) await sleep(last + MIN_STATS_POLL_INTERVAL_MS - Date.now(), signal)
        if (signal.aborted || !this.admin) return null
        try {
          const s = await this.admin.stats()
          this.record.stats.push(s)
          return s
        } catch (e) {
          this.record.errors.add('stats', codeOf(e), messageOf(e), null)
          return null
        }
      },
      query: async (sql) => {
        if (signal.aborted || !this.admin) return null
        const out = await safeTrySql(this.admin, sql, { signal })
        if (out.ok) return out.response
        if (!signal.aborted)
          this.record.errors.add('query', out.error.code, out.error.message, null)
        return null
      },
      writers: ({ ratePerSec, batchSize }) => {
        guard()
        const pool = startWriters({
          writers: this.requireProvisioned().writerSlots,
          table: this.objects.table,
          ratePerSec,
          batchSize,
          sink: this.sink,
          signal,
          ids: this.ids,
          onInsert: (o) => {
            for (const g of this.groups) g.observeInsert(o)
            this.rampObserver?.(o)
          }
        })
        this.parts.push(pool)
        this.currentPool = pool
        this.emit({ t: Date.now(), type: 'rate', targetPerSec: ratePerSec })
        const stop = pool.stop
        return Object.assign(pool, {
          stop: async () => {
            if (this.currentPool === pool) this.currentPool = null
            await stop()
          }
        })
      },
      subscribers: (count) => {
        guard()
        const group = startSubscribers({
          slots: this.requireProvisioned().subscriberSlots(count),
          table: this.objects.table,
          sink: this.sink,
          signal,
          openPerSec: this.plan.authPerSec
        })
        this.groups.push(group)
        this.parts.push(group)
        return group
      },
      prober: (intervalMs) => {
        guard()
        const p: Prober = startProber({
          runner: this.requireAdmin(),
          sql: probeSql(this.objects.table),
          intervalMs,
          sink: this.sink,
          signal
        })
        this.parts.push(p)
        return p
      },
      flusher: (intervalMs, onFlush) => {
        guard()
        const f: Flusher = startFlusher({
          client: this.requireAdmin(),
          table: this.objects.table,
          intervalMs,
          sink: this.sink,
          signal,
          onFlush: (r: FlushRecord) => {
            this.record.flushes.push(r)
            onFlush?.(r)
          }
        })
        this.parts.push(f)
        return f
      },
      ramp: async (pool, o: Omit<RampOptions, 'pool' | 'sink' | 'signal'>): Promise<RampResult> => {
        guard()
        const ramp = createRamp({ ...o, pool, sink: this.sink, signal })
        this.rampObserver = (obs) => ramp.observe(obs)
        try {
          const result = await ramp.run()
          this.record.ramp = result
          return result
        } finally {
          this.rampObserver = null
        }
      },
      quiesce: async () => {
        await this.stopParts()
        this.poller.pause()
        await this.closeClients()
        this.mark('every connection closed (quiet phase: only /proc is read)')
      },
      measure: (name, value) => {
        this.record.measures[name] = value
      },
      mark: (label) => this.mark(label),
      warn: (message) => this.warn(message)
    }
  }
}

function portOf(url: string): number | null {
  try {
    const u = new URL(url)
    if (u.port) return Number(u.port)
    return u.protocol === 'https:' ? 443 : 80
  } catch {
    return null
  }
}

function isCancel(e: unknown): boolean {
  return isProfilerError(e) && e.code === 'CANCELLED'
}

function codeOf(e: unknown): string {
  return isProfilerError(e) ? e.code : 'INTERNAL'
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
