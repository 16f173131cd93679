/** A fake Engine for service and handler tests: every part in-memory and inspectable. */
import { vi } from 'vitest'
import type { Sample } from '../../shared/sample'
import type { SamplerHandlers } from '../sampler/types'
import type { KalamClient } from '../target/types'
import type { Engine } from './engine'

export function fakeSample(t: number, pid = 4242): Sample {
  return {
    t,
    pid,
    rssBytes: 100,
    pssBytes: null,
    ussBytes: null,
    heapBytes: 60,
    fileMappedBytes: 39,
    stackBytes: 1,
    swapBytes: 0,
    cpuPercent: 1,
    cpuUserPercent: 1,
    cpuSystemPercent: 0,
    threads: 3,
    fds: 9,
    tcpConnections: 1,
    portConnections: 1,
    wsConnections: null
  }
}

export interface FakeEngine extends Engine {
  /** Handlers of the samplers started so far. */
  samplers: { pid: number; handlers: SamplerHandlers; stopped: boolean }[]
  clients: { url: string; credentials: unknown; closed: boolean }[]
}

export function fakeEngine(overrides: Partial<Engine> = {}): FakeEngine {
  const samplers: FakeEngine['samplers'] = []
  const clients: FakeEngine['clients'] = []
  const engine: FakeEngine = {
    samplers,
    clients,
    discoverTargets: vi.fn(async () => []),
    findPidListeningOn: vi.fn(async () => process.pid),
    startSampler: vi.fn((options, handlers) => {
      const entry = { pid: options.pid, handlers, stopped: false }
      samplers.push(entry)
      return {
        stop: async () => void (entry.stopped = true),
        done: Promise.resolve('stopped' as const)
      }
    }),
    takeSnapshot: vi.fn(),
    diffSnapshots: vi.fn(),
    connectKalam: vi.fn(async (o) => {
      const c = { url: o.url, credentials: o.credentials, closed: false }
      clients.push(c)
      return {
        url: o.url,
        user: 'admin',
        role: 'system',
        health: async () => ({ status: 'ok', version: '0.4.3', apiVersion: 'v1', buildDate: null }),
        stats: async () => ({ polledAt: 1, raw: {}, websocketSessions: 7 }),
        close: async () => void (c.closed = true)
      } as unknown as KalamClient
    }),
    scenarioCatalog: vi.fn(() => []),
    runScenario: vi.fn(),
    readSession: vi.fn(),
    listSessionDirs: vi.fn(async () => []),
    analyzeSession: vi.fn(),
    compareSessions: vi.fn(),
    renderReport: vi.fn(),
    ...overrides
  }
  return engine
}
