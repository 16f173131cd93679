/**
 * The engine's implementation of every API call, shared by both transports. Each call is
 * one line into a service (src/main/services); the services own the state.
 */
import type { ExportFormat } from '../shared/api'
import { ProfilerError } from '../shared/errors'
import type { ApiHandlers } from './api'
import type { EventHub } from './events'
import { benchDirs } from './services/bench-dirs'
import { BenchStore } from './services/bench-store'
import type { CredentialStore } from './services/credentials'
import { defaultEngine, type Engine } from './services/engine'
import { exportSession } from './services/exporter'
import { Profiler } from './services/profiler'
import { SessionStore } from './services/session-store'
import type { SimulatorLaunch } from './services/simulator'
import { SnapshotService } from './services/snapshots'
import { PROFILER_VERSION as VERSION } from './version'

export interface HandlerDeps {
  transport: 'electron' | 'web'
  events: EventHub
  /** Sessions folders; the first is where runs are recorded (see services/session-dirs). */
  sessionDirs: string[]
  /**
   * Bench history folders (`bench --save`), listed and compared read-only; default
   * ./profiler-bench of the engine's cwd, or KP_BENCH_DIR (see services/bench-dirs).
   */
  benchDirs?: string[]
  /** How to start the built-in simulator; null where it is not available. */
  simulator: SimulatorLaunch | null
  engine?: Engine
  credentialStore?: CredentialStore
  /** Electron: a save dialog. Without it exports come back as downloads. */
  chooseSavePath?: (suggestedName: string, format: ExportFormat) => Promise<string | null>
  /** Electron: webContents.printToPDF of the HTML report. */
  printToPdf?: (html: string) => Promise<Uint8Array>
}

export interface AppServices {
  handlers: ApiHandlers
  profiler: Profiler
  /** Stops runs, sampling and the simulator; closes connections. */
  dispose(): Promise<void>
}

export function createServices(deps: HandlerDeps): AppServices {
  if (deps.sessionDirs.length === 0) throw new Error('createServices: no sessions folder')
  const engine = deps.engine ?? defaultEngine()
  const sessions = new SessionStore(deps.sessionDirs, engine)
  const profiler = new Profiler({
    engine,
    events: deps.events,
    recordingRoot: sessions.recordingRoot,
    simulator: deps.simulator,
    credentialStore: deps.credentialStore
  })
  const snapshots = new SnapshotService(engine, sessions)
  const bench = new BenchStore(
    deps.benchDirs ?? benchDirs({ env: process.env, cwd: process.cwd() })
  )
  const exportDeps = {
    engine,
    sessions,
    chooseSavePath: deps.chooseSavePath,
    printToPdf: deps.printToPdf,
    secrets: () => profiler.secrets()
  }
  const ok = {} as Record<string, never>

  const handlers: ApiHandlers = {
    'app:info': async () => ({
      version: VERSION,
      transport: deps.transport,
      platform: process.platform,
      sessionsDir: sessions.recordingRoot,
      sessionDirs: sessions.roots,
      capabilities: {
        saveCredentials: deps.credentialStore?.available() ?? false,
        saveDialog: deps.chooseSavePath !== undefined
      }
    }),
    'app:state': async () => profiler.state(),
    'targets:list': async (req) => engine.discoverTargets({ all: req.all ?? false }),
    'target:attach': async (req) => profiler.attach(req),
    'target:detach': async () => (await profiler.detach(), ok),
    'target:forget-credentials': async (req) => (await profiler.forgetCredentials(req.url), ok),
    'live:configure': async (req) => profiler.configureLive(req),
    'live:history': async () => profiler.stream.history(),
    'sim:start': async () => profiler.startSim(),
    'sim:stop': async () => (await profiler.stopSim(), ok),
    'scenarios:list': async () => engine.scenarioCatalog(),
    'scenario:start': async (req) => profiler.startRun(req),
    'scenario:stop': async () => (await profiler.stopRun(), ok),
    'snapshot:take': async (req) => {
      const pid = profiler.attached()?.pid
      if (pid === undefined || pid === null)
        throw new ProfilerError('BAD_INPUT', 'attach to a local process before taking a snapshot')
      return snapshots.take(pid, req.label, profiler.runDir())
    },
    'snapshots:list': async (req) => snapshots.list(req.dir),
    'snapshots:diff': async (req) => snapshots.diff(req.before, req.after),
    'sessions:list': async () => sessions.list(),
    'session:open': async (req) => sessions.open(req.dir),
    'session:delete': async (req) => (await sessions.delete(req.dir), ok),
    'session:analyze': async (req) => engine.analyzeSession(await sessions.read(req.dir)),
    'sessions:compare': async (req) => {
      const [a, b] = await Promise.all([sessions.read(req.a), sessions.read(req.b)])
      return engine.compareSessions(a, b)
    },
    'session:export': async (req) => exportSession(exportDeps, req.dir, req.format),
    'bench:list': async () => bench.list(),
    'bench:compare': async (req) => bench.compare(req.a, req.b)
  }
  return { handlers, profiler, dispose: () => profiler.dispose() }
}
