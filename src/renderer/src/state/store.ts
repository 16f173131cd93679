/**
 * The UI's app-wide state, outside React: what the engine says (info, state, progress,
 * verdicts, crashes) and the live series. Views read it with useSyncExternalStore; the
 * live series has its own subscription so four batches a second redraw charts, not the app.
 */
import {
  VIEWS,
  type AppInfo,
  type AppState,
  type RunFinished,
  type ViewName
} from '../../../shared/api'
import type { ApiClient } from '../../../shared/client'
import type { RunProgress } from '../../../shared/run'
import type { Sample } from '../../../shared/sample'
import type { SessionEvent } from '../../../shared/session'
import { errorText } from '../api'
import { SeriesSet } from '../views/Live/Live.utils'

export interface StoreSnapshot {
  view: ViewName
  info: AppInfo | null
  state: AppState | null
  /** The engine could not be reached or answered with an error. */
  error: string | null
  progress: RunProgress | null
  /** The last finished run (this page's lifetime, or the engine's lastRun after a reload). */
  finished: RunFinished | null
  crash: { pid: number; t: number; message: string } | null
  /** The session Investigation and Export look at. */
  session: string | null
}

type Listener = () => void

export function viewFromHash(hash: string): ViewName {
  const v = hash.replace(/^#\/?/, '')
  return (VIEWS as readonly string[]).includes(v) ? (v as ViewName) : 'targets'
}

export class AppStore {
  readonly live = new SeriesSet()
  private snap: StoreSnapshot
  private readonly listeners = new Set<Listener>()
  private readonly liveListeners = new Set<Listener>()
  /** Stream batches that arrive while the history is loading wait here (order matters). */
  private held: { samples: Sample[]; events: SessionEvent[] } | null = null
  private attachKey: number | null = null
  private runKey: number | null = null
  private loaded = false

  constructor(
    private readonly api: ApiClient,
    initialView: ViewName = 'targets'
  ) {
    this.snap = {
      view: initialView,
      info: null,
      state: null,
      error: null,
      progress: null,
      finished: null,
      crash: null,
      session: null
    }
  }

  getSnapshot = (): StoreSnapshot => this.snap
  getLiveVersion = (): number => this.live.version

  subscribe = (fn: Listener): (() => void) => {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  subscribeLive = (fn: Listener): (() => void) => {
    this.liveListeners.add(fn)
    return () => this.liveListeners.delete(fn)
  }

  /** Subscribes to the engine and loads the first state; returns the unsubscribe. */
  start(): () => void {
    const api = this.api
    const offs = [
      api.on('onState', (s) => this.applyState(s)),
      api.on('onSamples', ({ samples }) => this.addLive(samples, [])),
      api.on('onEvents', ({ events }) => this.addLive([], events)),
      api.on('onRunProgress', (p) => {
        this.live.addProgress(p)
        this.set({ progress: p })
        this.emitLive()
      }),
      api.on('onVerdicts', (f) => {
        this.set({ finished: f, session: f.result?.dir ?? this.snap.session })
      }),
      api.on('onTargetCrashed', (c) => this.set({ crash: c })),
      api.on('onNavigate', ({ view }) => this.setView(view))
    ]
    void this.refresh()
    return () => offs.forEach((off) => off())
  }

  async refresh(): Promise<void> {
    try {
      const [info, state] = await Promise.all([
        this.api.call('app:info', {}),
        this.api.call('app:state', {})
      ])
      this.set({ info, error: null })
      this.applyState(state)
    } catch (e) {
      this.set({ error: errorText(e) })
    }
  }

  setView(view: ViewName): void {
    if (view !== this.snap.view) this.set({ view })
  }

  selectSession(dir: string | null): void {
    this.set({ session: dir })
  }

  dismissCrash(): void {
    this.set({ crash: null })
  }

  private applyState(state: AppState): void {
    const patch: Partial<StoreSnapshot> = { state }
    if (!this.snap.finished && state.lastRun) {
      patch.finished = { scenario: state.lastRun.scenario, result: state.lastRun, error: null }
      patch.session = this.snap.session ?? state.lastRun.dir
    }
    if (state.run?.progress) patch.progress = state.run.progress
    if (state.run && this.snap.state?.run?.startedAt !== state.run.startedAt) {
      // A new run: the verdict and crash of the last one no longer apply.
      patch.finished = null
      patch.crash = null
      patch.progress = state.run.progress
    }
    this.set(patch)
    // The series restart with each attachment and each new run, as the engine's history
    // does; the end of a run keeps its series on screen and live sampling appends to them.
    const attachKey = state.attachment ? state.attachment.attachedAt : null
    const runKey = state.run ? state.run.startedAt : null
    const first = !this.loaded && (attachKey !== null || runKey !== null)
    const changed = attachKey !== this.attachKey || (runKey !== null && runKey !== this.runKey)
    this.attachKey = attachKey
    this.runKey = runKey ?? this.runKey
    if (first) {
      this.loaded = true
      this.live.reset()
      void this.loadHistory()
      this.emitLive()
    } else if (changed) {
      this.live.reset()
      this.emitLive()
    }
  }

  private async loadHistory(): Promise<void> {
    this.held = { samples: [], events: [] }
    try {
      const h = await this.api.call('live:history', {})
      this.live.addEvents(h.events)
      this.live.addSamples(h.samples)
    } catch {
      // No history is not an error: the stream fills the charts from now on.
    }
    const held = this.held
    this.held = null
    this.live.addEvents(held.events)
    this.live.addSamples(held.samples)
    this.emitLive()
  }

  private addLive(samples: Sample[], events: SessionEvent[]): void {
    if (this.held) {
      this.held.samples.push(...samples)
      this.held.events.push(...events)
      return
    }
    if (events.length) this.live.addEvents(events)
    if (samples.length) this.live.addSamples(samples)
    this.emitLive()
  }

  private set(patch: Partial<StoreSnapshot>): void {
    this.snap = { ...this.snap, ...patch }
    for (const fn of this.listeners) fn()
  }

  private emitLive(): void {
    for (const fn of this.liveListeners) fn()
  }
}
