/**
 * One run from session creation to verdicts: setup, the ScenarioContext a definition drives,
 * the sampler and server polls feeding samples, crash detection, the once-a-second tick
 * (counters event, error events, progress), teardown and cleanup. See runner.ts for the
 * entry point and its guarantees.
 */
import { isProfilerError } from '../../shared/errors'
import type { RunResult, ScenarioId } from '../../shared/run'
import type { Sample } from '../../shared/sample'
import type { PhaseName, SessionEvent } from '../../shared/session'
import type { RunningSampler } from '../sampler/types'
import { machineInfo } from '../session/machine'
import { SessionWriter } from '../session/writer'
import { MIN_STATS_POLL_INTERVAL_MS } from '../target/stats'
import type { Health, KalamClient, ServerLimits, ServerStats } from '../target/types'
import { PROFILER_VERSION } from '../version'
import { linkedAbort, sleep } from '../workload/clock'
import { ErrorTally, createCounters } from '../workload/counters'
import { portOfUrl } from '../workload/guard'
import { watchHealth, type HealthWatch } from '../workload/health'
import { LatencyRecorder } from '../workload/latency'
import { runObjects, type RunObjects } from '../workload/schema'
import { startStatsPoller, type StatsPoller } from '../workload/stats-poller'
import { safeTrySql, type WorkloadSink } from '../workload/types'
import type { UserPlan } from '../workload/users'
import { RunConnections } from './connections'
import type { PhaseOptions, ScenarioContext } from './context'
import { failForCrash } from './criteria'
import type { ScenarioDefinition } from './definition'
import type { RunnerDeps } from './deps'
import { endReason, runExitCode, runStatus } from './outcome'
import type { Params } from './params'
import { RateWindow, latencySoFar } from './progress'
import type { RunRecord } from './record'
import type { RunHooks, RunOptions } from './runner'
import { sampleFromStats, withServerFigures } from './server-samples'
import { WorkloadParts } from './workload-parts'

/** Default sampler interval: the seed measures CPU "every 1 second". */
const DEFAULT_SAMPLE_INTERVAL_MS = 1000
/** system.stats poll period during load phases (≥ the 2 s floor). */
const STATS_INTERVAL_MS = 3000
/**
 * latency.json is rewritten this often besides at phase changes, so a kill -9 in a long
 * phase loses seconds of latency histograms, not the phase.
 */
export const LATENCY_WRITE_INTERVAL_MS = 5000

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
  private readonly conn: RunConnections
  private readonly writer: SessionWriter
  private readonly record: RunRecord
  private readonly sink: WorkloadSink
  private readonly abort: ReturnType<typeof linkedAbort>
  private readonly objects: RunObjects
  private readonly parts: WorkloadParts
  private sampler: RunningSampler | null = null
  private healthWatch: HealthWatch | null = null
  private readonly poller: StatsPoller
  private tickTimer: NodeJS.Timeout | null = null
  private scenarioStart: number | null = null
  private lastSample: Sample | null = null
  private readonly rate = new RateWindow()
  private dataDir: string | null | undefined = undefined
  private runError: unknown = null
  private latencyWrittenAt = 0

  constructor(init: ScenarioRunInit) {
    this.id = init.id
    this.def = init.def
    this.options = init.options
    this.hooks = init.hooks
    this.deps = init.deps
    this.plan = init.plan
    this.abort = linkedAbort(init.options.signal)
    this.objects = runObjects()
    this.conn = new RunConnections(init.admin, {
      url: init.options.url,
      credentials: init.options.credentials,
      deps: init.deps,
      objects: this.objects,
      plan: init.plan
    })
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
    this.parts = new WorkloadParts({
      sink: this.sink,
      signal: this.abort.signal,
      table: this.objects.table,
      openPerSec: init.plan.authPerSec,
      record: this.record,
      provisioned: () => this.conn.requireProvisioned(),
      admin: () => this.conn.requireAdmin(),
      emit: (e) => this.emit(e)
    })
    this.writer = new SessionWriter(init.options.outDir, {
      scenario: init.id,
      target: targetOf(init),
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
      client: { stats: () => this.conn.requireAdmin().stats() },
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
    await this.conn.setUp(this.abort.signal)
    if (this.plan.writerUsers + this.plan.subscriberUsers > 0) {
      this.mark(
        `workload users: ${this.plan.writerUsers} for writers, ${this.plan.subscriberUsers} for subscribers (${this.plan.notes.join('; ')})`
      )
    }
  }

  private async finish(): Promise<RunResult> {
    this.phase('teardown')
    await this.parts.stopAll()
    if (this.options.pid !== null && !this.record.crash) await this.snapshot('end')
    if (this.record.crash) await this.conn.closeAll()
    else {
      const done = await this.conn.cleanUp(this.options.keep ?? false)
      for (const m of done.markers) this.mark(m)
      for (const w of done.warnings) this.warn(w)
    }
    if (this.tickTimer) clearInterval(this.tickTimer)
    await this.poller.stop()
    this.healthWatch?.stop()
    await this.sampler?.stop().catch(() => undefined)
    this.closePhase()
    this.record.subscribers = this.parts.subscriberStats()
    this.emitCounters(Date.now())

    let verdicts = this.def.evaluate(this.record, true)
    if (this.record.crash) verdicts = failForCrash(verdicts, this.record.crash)
    const status = runStatus({
      crashed: this.record.crash !== null,
      cancelled: this.options.signal.aborted,
      broken: this.runError !== null,
      verdicts
    })
    const reason = endReason(
      status,
      verdicts,
      this.record.crash?.message ?? (this.runError === null ? '' : messageOf(this.runError))
    )
    const t = Date.now()
    for (const v of verdicts) this.emit({ t, type: 'verdict', ...v })
    this.writeLatency(t)
    this.writer.writeVerdicts(verdicts)
    const { ramp, flushes, subscribers, measures, counters } = this.record
    this.writer.updateMeta({
      ...(reason ? { endReason: reason } : {}),
      counters: { ...counters },
      measures,
      ...(ramp ? { ramp } : {}),
      ...(flushes.length > 0 ? { flushes } : {}),
      subscribers
    })
    this.writer.finish(status, t)
    this.record.latency.destroy()
    this.abort.dispose()
    const exitCode = runExitCode(status)
    return { dir: this.options.outDir, scenario: this.id, status, verdicts, exitCode }
  }

  // ---------------------------------------------------------------- watching the target

  private startWatching(): void {
    const pid = this.options.pid
    if (pid !== null) {
      this.sampler = this.deps.startSampler(
        {
          pid,
          port: portOfUrl(this.options.url),
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
    const sample = withServerFigures(s, this.poller.active ? this.poller.latest : null)
    this.lastSample = sample
    this.record.samples.push(sample)
    this.writer.appendSample(sample)
    this.hooks.onSample?.(sample)
  }

  private onStats(s: ServerStats): void {
    this.record.stats.push(s)
    if (this.options.pid !== null) return
    // Without a pid the server's own figures are the only samples there are.
    const sample = sampleFromStats(s)
    if (sample) this.onSample(sample)
  }

  private onCrash(t: number, message: string): void {
    if (this.record.crash) return
    this.record.crash = { t, message }
    this.emit({ t: Date.now(), type: 'crash', pid: this.options.pid ?? 0, exitedAt: t, message })
    this.hooks.onNotice?.(`target crashed: ${message}`)
    this.abort.abort()
  }

  // ---------------------------------------------------------------- the clock

  private tick(): void {
    const t = Date.now()
    this.parts.tick()
    this.record.subscribers = this.parts.subscriberStats()
    this.emitCounters(t)
    for (const e of this.record.errors.drain(t)) this.emit(e)
    const every = this.options.latencyWriteIntervalMs ?? LATENCY_WRITE_INTERVAL_MS
    if (t - this.latencyWrittenAt >= every) this.writeLatency(t)
    this.rate.push(this.record.counters.inserts)
    if (!this.hooks.onProgress) return
    const c = this.record.counters
    let criteria: RunResult['verdicts'] = []
    try {
      criteria = this.def.evaluate(this.record, false)
    } catch {
      criteria = []
    }
    this.hooks.onProgress({
      t,
      scenario: this.id,
      phase: this.record.phases.at(-1)?.name ?? 'setup',
      elapsedMs: this.scenarioStart === null ? 0 : t - this.scenarioStart,
      totalMs: this.def.plannedMs(this.record.params),
      achievedRatePerSec: this.rate.ratePerSec(),
      targetRatePerSec: this.parts.targetRatePerSec,
      rssBytes: this.lastSample?.rssBytes ?? null,
      inserts: c.inserts,
      errors: c.errors,
      rateLimited: c.rateLimited,
      notifications: c.notifications,
      droppedNotifications: Math.max(c.droppedNotifications, this.parts.droppedEstimate()),
      disconnects: c.disconnects,
      criteria,
      latency: latencySoFar(this.record.latency)
    })
  }

  private writeLatency(t = Date.now()): void {
    this.writer.writeLatency(this.record.latency.toFile())
    this.latencyWrittenAt = t
  }

  private emitCounters(t: number): void {
    this.emit({ t, type: 'counters', ...this.record.counters })
  }

  // ---------------------------------------------------------------- phases and events

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
    const last = this.record.phases.at(-1)
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
    if (poll && this.conn.adminOrNull && !this.abort.signal.aborted) this.poller.resume()
    else this.poller.pause()
    this.writeLatency(t)
  }

  private async snapshot(label: string): Promise<void> {
    const pid = this.options.pid
    if (pid === null || this.record.crash) return
    try {
      this.dataDir ??= await this.deps.guessDataDir(pid).catch(() => null)
      const snap = await this.deps.takeSnapshot(pid, { dataDir: this.dataDir, label })
      const file = this.writer.writeSnapshot(label, snap)
      this.emit({ t: Date.now(), type: 'snapshot', file, label })
    } catch (e) {
      this.warn(`snapshot ${label} failed: ${messageOf(e)}`)
    }
  }

  /** One system.stats read now, keeping the 2 s floor after the last poll. */
  private async readStats(): Promise<ServerStats | null> {
    const signal = this.abort.signal
    const last = this.record.stats.at(-1)?.polledAt
    if (last !== undefined) await sleep(last + MIN_STATS_POLL_INTERVAL_MS - Date.now(), signal)
    const admin = this.conn.adminOrNull
    if (signal.aborted || !admin) return null
    try {
      const s = await admin.stats()
      this.record.stats.push(s)
      return s
    } catch (e) {
      this.record.errors.add('stats', codeOf(e), messageOf(e), null)
      return null
    }
  }

  private context(): ScenarioContext {
    const signal = this.abort.signal
    const parts = this.parts
    return {
      params: this.record.params,
      quick: this.options.quick,
      signal,
      record: this.record,
      pid: this.options.pid,
      phase: (name, o) => this.phase(name, o),
      sleep: (ms) => sleep(ms, signal),
      snapshot: (label) => this.snapshot(label),
      readStats: () => this.readStats(),
      query: async (sql) => {
        const admin = this.conn.adminOrNull
        if (signal.aborted || !admin) return null
        const out = await safeTrySql(admin, sql, { signal })
        if (out.ok) return out.response
        if (!signal.aborted)
          this.record.errors.add('query', out.error.code, out.error.message, null)
        return null
      },
      writers: ({ ratePerSec, batchSize }) => parts.writers(ratePerSec, batchSize),
      subscribers: (count) => parts.subscribers(count),
      churn: (o) => parts.churn(o),
      prober: (intervalMs) => parts.prober(intervalMs),
      flusher: (intervalMs, onFlush) => parts.flusher(intervalMs, onFlush),
      flushNow: () => parts.flushNow(),
      ramp: (pool, o) => parts.ramp(pool, o),
      quiesce: async () => {
        await parts.stopAll()
        this.poller.pause()
        await this.conn.closeAll()
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

function targetOf(init: ScenarioRunInit): { pid: number | null; [k: string]: unknown } {
  const target: { pid: number | null; [k: string]: unknown } = {
    pid: init.options.pid,
    url: init.options.url
  }
  const version = init.health.version ?? init.firstStats?.version
  const buildDate = init.health.buildDate ?? init.firstStats?.buildDate
  if (version) target['version'] = version
  if (buildDate) target['buildDate'] = buildDate
  if (init.firstStats?.gitCommit) target['gitCommit'] = init.firstStats.gitCommit
  return target
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
