/** Full objects with partial overrides (STYLE.md §23), typed by the shared contracts. */
import type { AnalysisResult } from '../../../shared/analysis'
import type { CompareMetric, CompareResult } from '../../../shared/compare'
import type {
  AppInfo,
  AppState,
  Attachment,
  SessionSummary,
  SessionView,
  Target
} from '../../../shared/api'
import type { RunProgress, ScenarioInfo } from '../../../shared/run'
import type { Sample } from '../../../shared/sample'
import type { CriterionResult } from '../../../shared/session'

const MiB = 1024 * 1024
export const T0 = 1_764_000_000_000

export function sample(o: Partial<Sample> = {}): Sample {
  return {
    t: T0,
    pid: 4242,
    rssBytes: 100 * MiB,
    pssBytes: null,
    ussBytes: null,
    heapBytes: 60 * MiB,
    fileMappedBytes: 39 * MiB,
    stackBytes: 132 * 1024,
    swapBytes: 0,
    cpuPercent: 12,
    cpuUserPercent: 10,
    cpuSystemPercent: 2,
    threads: 11,
    fds: 24,
    tcpConnections: 3,
    portConnections: 2,
    wsConnections: null,
    ...o
  }
}

export function appInfo(o: Partial<AppInfo> = {}): AppInfo {
  return {
    version: '0.1.0',
    transport: 'web',
    platform: 'linux',
    sessionsDir: '/s',
    sessionDirs: ['/s'],
    capabilities: { saveCredentials: false, saveDialog: false },
    ...o
  }
}

export function attachment(o: Partial<Attachment> = {}): Attachment {
  return {
    pid: 4242,
    url: 'http://127.0.0.1:8080',
    httpPort: 8080,
    version: '0.4.3',
    user: 'admin',
    auth: 'password',
    credentialsSaved: false,
    simulator: false,
    attachedAt: T0,
    note: null,
    ...o
  }
}

export function appState(o: Partial<AppState> = {}): AppState {
  return {
    attachment: null,
    simulator: null,
    run: null,
    lastRun: null,
    live: { intervalMs: 1000, pollServer: true, sampling: false },
    ...o
  }
}

export function target(o: Partial<Target> = {}): Target {
  return {
    pid: 4242,
    name: 'kalamdb-server',
    command: '/usr/bin/kalamdb-server',
    listeningPorts: [8080, 9090],
    isKalamDb: true,
    httpPort: 8080,
    baseUrl: 'http://127.0.0.1:8080',
    version: '0.4.3',
    rssBytes: 512 * MiB,
    ...o
  }
}

export function criterion(o: Partial<CriterionResult> = {}): CriterionResult {
  return {
    name: 'RSS growth',
    threshold: '< 10%',
    measured: 4.2,
    unit: 'percent',
    pass: true,
    ...o
  }
}

export function scenario(o: Partial<ScenarioInfo> = {}): ScenarioInfo {
  return {
    id: 'memory-stability',
    seed: 'T220',
    title: 'Memory stability under write load',
    checks: 'Holds a constant insert rate and compares RSS with the baseline.',
    criteria: ['RSS growth < 10%'],
    parameters: [
      { name: 'writers', label: 'Writers', kind: 'count', default: 10, quick: 2, min: 1, max: 100 },
      {
        name: 'loadMs',
        label: 'Load phase',
        kind: 'duration',
        default: 300_000,
        quick: 15_000,
        min: 1000
      }
    ],
    ...o
  }
}

export function progress(o: Partial<RunProgress> = {}): RunProgress {
  return {
    t: T0 + 5000,
    scenario: 'memory-stability',
    phase: 'load',
    elapsedMs: 5000,
    totalMs: 20_000,
    achievedRatePerSec: 200,
    targetRatePerSec: 200,
    rssBytes: 100 * MiB,
    inserts: 1000,
    errors: 0,
    rateLimited: 0,
    notifications: 0,
    droppedNotifications: 0,
    disconnects: 0,
    criteria: [criterion({ pass: null, measured: null })],
    ...o
  }
}

export function sessionSummary(o: Partial<SessionSummary> = {}): SessionSummary {
  return {
    dir: '/s/2026-11-25T10-00-00-memory-stability',
    name: '2026-11-25T10-00-00-memory-stability',
    scenario: 'memory-stability',
    status: 'passed',
    startedAt: T0,
    endedAt: T0 + 60_000,
    target: { pid: 4242, url: 'http://127.0.0.1:8080', version: '0.4.3' },
    criteriaPassed: 1,
    criteriaFailed: 0,
    criteriaUnmeasured: 0,
    ...o
  }
}

export function sessionView(o: Partial<SessionView> = {}): SessionView {
  const summary = o.summary ?? sessionSummary()
  return {
    summary,
    meta: {
      schemaVersion: 1,
      scenario: summary.scenario,
      target: { pid: summary.target.pid },
      startedAt: summary.startedAt,
      endedAt: summary.endedAt,
      status: summary.status
    },
    samples: [0, 1, 2, 3].map((i) => sample({ t: T0 + i * 1000, rssBytes: (100 + i) * MiB })),
    sampleCount: o.samples?.length ?? 4,
    events: [{ t: T0, type: 'phase', phase: 'load' }],
    latency: null,
    verdicts: [criterion()],
    snapshots: [],
    skippedLines: 0,
    ...o
  }
}

export function analysis(o: Partial<AnalysisResult> = {}): AnalysisResult {
  return {
    schemaVersion: 1,
    status: 'failed',
    metrics: {
      heapBytes: {
        verdict: 'leak',
        reason: 'Heap grows steadily.',
        baselineBytes: 60 * MiB,
        finalBytes: 98 * MiB,
        growthPercent: 63.3,
        slopeBytesPerMin: 38 * MiB,
        slopeCi95: [36 * MiB, 40 * MiB],
        releasedPercent: null
      }
    },
    attribution: [
      { metric: 'heapBytes', per: 'insert', bytesPerUnit: 1946, ci95: [1900, 2000], r2: 0.98 }
    ],
    criteria: [criterion({ pass: false, measured: 63.3 })],
    findings: [{ severity: 'problem', text: 'Heap grows ≈ 38 MiB/min.' }],
    ...o
  }
}

export function compareMetric(o: Partial<CompareMetric> = {}): CompareMetric {
  return {
    id: 'rssBytes.slope',
    name: 'RSS slope',
    group: 'memory',
    unit: 'bytes/min',
    better: 'lower',
    a: 1024,
    b: 4 * MiB,
    change: 4095,
    delta: 4 * MiB - 1024,
    test: 'z-test of the slope difference',
    significant: true,
    direction: 'worse',
    reason: 'RSS grows faster in B.',
    ...o
  }
}

export function compareResult(o: Partial<CompareResult> = {}): CompareResult {
  const side = { label: 'a', kind: 'session' as const, scenario: 'memory-stability', startedAt: T0 }
  return {
    schemaVersion: 1,
    kind: 'sessions',
    verdict: 'regression',
    summary: 'B regresses: RSS slope +4.0 MiB/min.',
    a: side,
    b: { ...side, label: 'b' },
    settings: { alpha: 0.05, noise: 0.05, memoryNoise: 0.02 },
    metrics: [
      compareMetric(),
      compareMetric({
        id: 'criterion.RSS growth',
        name: 'RSS growth (< 10%)',
        group: 'criteria',
        unit: 'percent'
      })
    ],
    notes: [],
    ...o
  }
}
