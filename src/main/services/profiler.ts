/**
 * The app's engine-side state: what is attached (and with which credentials — kept here,
 * in memory, and never sent back), the simulator started from the app, the running
 * scenario, live sampling. Both front ends (Electron, web bridge) drive one of these
 * through the API handlers; every change is announced with `onState`.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type {
  AppState,
  Attachment,
  CredentialsInput,
  LiveSettings,
  RunState
} from '../../shared/api'
import { ProfilerError, toErrorData } from '../../shared/errors'
import type { RunResult, ScenarioId } from '../../shared/run'
import type { KalamClient } from '../target/types'
import type { EventHub } from '../events'
import type { CredentialStore } from './credentials'
import type { Engine } from './engine'
import { startLiveSampler, type LiveSampler } from './live-sampler'
import { LiveStream } from './live-stream'
import { startSimulator, type RunningSimulator, type SimulatorLaunch } from './simulator'
import { resolveTarget } from './target-resolve'

export interface ProfilerDeps {
  engine: Engine
  events: EventHub
  /** Where runs are recorded. */
  recordingRoot: string
  /** How to start the built-in simulator; null where it is not shipped. */
  simulator: SimulatorLaunch | null
  credentialStore?: CredentialStore
  now?: () => number
}

export interface AttachRequest {
  pid?: number
  url?: string
  credentials?: CredentialsInput
  useSaved?: boolean
  remember?: boolean
  setup?: boolean
}

interface ActiveRun {
  state: RunState
  outDir: string
  abort: AbortController
  done: Promise<void>
}

export const DEFAULT_LIVE: LiveSettings = { intervalMs: 1000, pollServer: true }

export class Profiler {
  readonly stream: LiveStream
  private attachment: Attachment | null = null
  /** Never leaves this object except towards the server it belongs to. */
  private credentials: CredentialsInput | null = null
  private client: KalamClient | null = null
  private sampler: LiveSampler | null = null
  private sim: RunningSimulator | null = null
  private run: ActiveRun | null = null
  private lastRun: RunResult | null = null
  private live: LiveSettings = { ...DEFAULT_LIVE }
  private readonly now: () => number

  constructor(private readonly deps: ProfilerDeps) {
    this.stream = new LiveStream({ events: deps.events })
    this.now = deps.now ?? Date.now
  }

  state(): AppState {
    return {
      attachment: this.attachment,
      simulator: this.sim ? { url: this.sim.url, pid: this.sim.pid } : null,
      run: this.run ? this.run.state : null,
      lastRun: this.lastRun,
      live: { ...this.live, sampling: this.sampler !== null }
    }
  }

  async attach(req: AttachRequest, simulator = false): Promise<Attachment> {
    if (this.run) throw new ProfilerError('BAD_INPUT', 'stop the running scenario before attaching')
    const target = await resolveTarget(req, this.deps.engine)
    const store = this.deps.credentialStore
    let credentials: CredentialsInput | null = req.credentials ?? null
    if (!credentials && req.useSaved && target.url && store)
      credentials = await store.load(target.url)
    let client: KalamClient | null = null
    let version = target.version
    if (target.url && credentials) {
      client = await this.deps.engine.connectKalam({
        url: target.url,
        credentials,
        setup: req.setup ?? false
      })
      version = (await client.health().catch(() => null))?.version ?? version
    }
    if (req.remember && credentials && target.url && store?.available()) {
      await store.save(target.url, credentials)
    }
    await this.detachQuietly()
    this.credentials = credentials
    this.client = client
    this.attachment = {
      pid: target.pid,
      url: target.url,
      httpPort: target.httpPort,
      version,
      user: credentials && 'user' in credentials ? credentials.user : null,
      auth: !credentials ? 'none' : 'token' in credentials ? 'token' : 'password',
      credentialsSaved: target.url && store ? await store.has(target.url) : false,
      simulator,
      attachedAt: this.now(),
      note: attachNote(target.pid, target.url, credentials !== null)
    }
    this.stream.clear()
    this.startSampling()
    this.emitState()
    return this.attachment
  }

  async detach(): Promise<void> {
    if (this.run) throw new ProfilerError('BAD_INPUT', 'stop the running scenario before detaching')
    await this.detachQuietly()
    this.emitState()
  }

  async forgetCredentials(url: string): Promise<void> {
    await this.deps.credentialStore?.forget(url)
    if (this.attachment?.url && new URL(this.attachment.url).origin === safeOrigin(url)) {
      this.attachment = { ...this.attachment, credentialsSaved: false }
      this.emitState()
    }
  }

  async configureLive(settings: Partial<LiveSettings>): Promise<LiveSettings> {
    this.live = { ...this.live, ...settings }
    if (this.sampler) {
      await this.stopSampling()
      this.startSampling()
    }
    this.emitState()
    return this.live
  }

  async startSim(): Promise<{ simulator: { url: string; pid: number }; attachment: Attachment }> {
    const launch = this.deps.simulator
    if (!launch) throw new ProfilerError('INTERNAL', 'the simulator is not part of this build')
    if (!this.sim) {
      const sim = await startSimulator(launch)
      this.sim = sim
      void sim.exited.then(() => {
        if (this.sim !== sim) return
        this.sim = null
        this.emitState()
      })
    }
    const sim = this.sim
    const attachment = await this.attach(
      { url: sim.url, pid: sim.pid, credentials: sim.credentials },
      true
    )
    return { simulator: { url: sim.url, pid: sim.pid }, attachment }
  }

  async stopSim(): Promise<void> {
    const sim = this.sim
    if (!sim) return
    if (this.run && this.attachment?.simulator) await this.stopRun()
    if (this.attachment?.simulator) await this.detachQuietly()
    this.sim = null
    await sim.stop()
    this.emitState()
  }

  async startRun(req: {
    scenario: ScenarioId
    quick: boolean
    overrides?: Record<string, number | boolean>
  }): Promise<RunState> {
    if (this.run) throw new ProfilerError('BAD_INPUT', 'a scenario is already running')
    const a = this.attachment
    if (!a?.url || !this.credentials) {
      throw new ProfilerError(
        'BAD_INPUT',
        'attach to a KalamDB server with credentials before running a scenario',
        { hint: 'Targets: pick a server and give its user and password, or start the simulator' }
      )
    }
    const startedAt = this.now()
    const outDir = join(this.deps.recordingRoot, sessionName(startedAt, req.scenario))
    await mkdir(this.deps.recordingRoot, { recursive: true })
    await this.stopSampling()
    this.stream.clear()
    const abort = new AbortController()
    const state: RunState = {
      scenario: req.scenario,
      quick: req.quick,
      startedAt,
      state: 'running',
      progress: null
    }
    const run: ActiveRun = { state, outDir, abort, done: Promise.resolve() }
    this.run = run
    this.emitState()
    const events = this.deps.events
    run.done = this.deps.engine
      .runScenario(
        {
          scenario: req.scenario,
          url: a.url,
          credentials: this.credentials,
          pid: a.pid,
          outDir,
          quick: req.quick,
          overrides: req.overrides ?? {},
          signal: abort.signal
        },
        {
          onSample: (s) => this.stream.pushSample(s),
          onEvent: (e) => {
            this.stream.pushEvent(e)
            if (e.type === 'crash')
              events.emit('onTargetCrashed', { pid: e.pid, t: e.t, message: e.message })
          },
          onNotice: (message) => this.stream.pushEvent({ t: this.now(), type: 'warning', message }),
          onProgress: (p) => {
            run.state = { ...run.state, progress: p }
            events.emit('onRunProgress', p)
          }
        }
      )
      .then(
        (result) => {
          this.lastRun = result
          this.stream.flush()
          events.emit('onVerdicts', { scenario: req.scenario, result, error: null })
        },
        (e: unknown) => {
          const { code, message } = toErrorData(e)
          this.stream.flush()
          events.emit('onVerdicts', {
            scenario: req.scenario,
            result: null,
            error: { code, message }
          })
        }
      )
      .finally(() => {
        this.run = null
        this.startSampling()
        this.emitState()
      })
    return state
  }

  async stopRun(): Promise<void> {
    const run = this.run
    if (!run) return
    run.state = { ...run.state, state: 'stopping' }
    this.emitState()
    run.abort.abort()
    await run.done
  }

  /** The credentials in use, as literal strings for reports to scrub. */
  secrets(): string[] {
    const c = this.credentials
    if (!c) return []
    return 'token' in c ? [c.token] : c.password ? [c.password] : []
  }

  attached(): Attachment | null {
    return this.attachment
  }

  /** The session directory of the running scenario, if one runs. */
  runDir(): string | null {
    return this.run?.outDir ?? null
  }

  async dispose(): Promise<void> {
    if (this.run) await this.stopRun().catch(() => undefined)
    await this.detachQuietly()
    await this.sim?.stop()
    this.sim = null
    this.stream.dispose()
  }

  private startSampling(): void {
    const a = this.attachment
    if (!a || a.pid === null || this.sampler || this.run) return
    const pid = a.pid
    try {
      this.sampler = startLiveSampler({
        pid,
        port: a.httpPort,
        intervalMs: this.live.intervalMs,
        client: this.client,
        pollServer: this.live.pollServer,
        stream: this.stream,
        engine: this.deps.engine,
        onExit: (info) => {
          this.sampler = null
          const message = `process ${info.pid} exited`
          this.stream.pushEvent({
            t: info.t,
            type: 'crash',
            pid: info.pid,
            exitedAt: info.t,
            message
          })
          this.deps.events.emit('onTargetCrashed', { pid: info.pid, t: info.t, message })
          this.emitState()
        },
        onError: (e) => {
          this.sampler = null
          this.stream.pushEvent({ t: this.now(), type: 'warning', message: e.message })
          this.emitState()
        }
      })
    } catch (e) {
      this.sampler = null
      this.stream.pushEvent({ t: this.now(), type: 'warning', message: toErrorData(e).message })
    }
  }

  private async stopSampling(): Promise<void> {
    const s = this.sampler
    this.sampler = null
    await s?.stop().catch(() => undefined)
  }

  private async detachQuietly(): Promise<void> {
    await this.stopSampling()
    const client = this.client
    this.client = null
    this.credentials = null
    this.attachment = null
    await client?.close().catch(() => undefined)
  }

  private emitState(): void {
    this.deps.events.emit('onState', this.state())
  }
}

function attachNote(pid: number | null, url: string | null, credentials: boolean): string | null {
  if (pid === null) return 'No local process for this URL: memory and CPU cannot be sampled.'
  if (url === null) return 'No KalamDB HTTP port found: only the process is sampled.'
  if (!credentials) return 'No credentials: server figures and scenarios need a user and password.'
  return null
}

function safeOrigin(url: string): string | null {
  try {
    return new URL(url).origin
  } catch {
    return null
  }
}

/** `2026-11-25T16-41-55-memory-stability`: sortable, readable, safe on every file system. */
export function sessionName(t: number, scenario: string): string {
  return `${new Date(t)
    .toISOString()
    .replace(/\.\d+Z$/, '')
    .replace(/:/g, '-')}-${scenario}`
}
