import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { RunProgress } from '../../shared/run'
import type { LatencyFile, SessionEvent } from '../../shared/session'
import type { MemorySnapshot } from '../../shared/snapshot'
import { readSession } from '../session/reader'
import { FakeKalamServer, type FakeServerOptions } from '../workload/testing/fake-kalam'
import { fakeSampler } from '../workload/testing/fake-sampler'
import type { RunnerDeps } from './deps'
import { runScenario, type RunOptions } from './runner'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function deps(server: FakeKalamServer): RunnerDeps {
  return {
    connect: server.connect,
    startSampler: fakeSampler(server),
    takeSnapshot: async (pid, o) =>
      ({ schemaVersion: 1, t: Date.now(), pid, label: o.label }) as unknown as MemorySnapshot,
    guessDataDir: async () => null,
    processExists: (pid) => pid === 4242,
    checkHealth: async () => (server.down ? 'refused' : 'ok')
  }
}

function options(over: Partial<RunOptions> = {}): RunOptions {
  const dir = mkdtempSync(join(tmpdir(), 'kp-run-'))
  dirs.push(dir)
  return {
    scenario: 'memory-stability',
    url: 'http://127.0.0.1:8080',
    credentials: { user: 'admin', password: 'secret-pw' },
    pid: 4242,
    outDir: join(dir, 'session'),
    quick: true,
    overrides: { baselineMs: 1000, durationMs: 2000, warmupMs: 500, ratePerSec: 100 },
    sampleIntervalMs: 100,
    signal: new AbortController().signal,
    command: ['kalam-profiler', 'run', 'memory-stability', '--url', 'http://127.0.0.1:8080'],
    ...over
  }
}

async function run(serverOptions: FakeServerOptions, over: Partial<RunOptions> = {}) {
  const server = new FakeKalamServer(serverOptions)
  const progress: RunProgress[] = []
  const o = options(over)
  const result = await runScenario(o, { onProgress: (p) => progress.push(p) }, deps(server))
  return { server, result, progress, session: await readSession(result.dir) }
}

describe('scenarios/runner', () => {
  describe('runScenario', () => {
    it('records a complete session and passes a stable server (T220)', async () => {
      const { server, result, session, progress } = await run({})
      expect(result).toMatchObject({ status: 'passed', exitCode: 0, scenario: 'memory-stability' })
      expect(result.verdicts).toEqual([
        expect.objectContaining({
          name: 'RSS growth over the load phase',
          threshold: '< 10%',
          measured: 0,
          pass: true
        })
      ])
      const m = session.meta
      expect(m).toMatchObject({
        status: 'passed',
        scenario: 'memory-stability',
        profilerVersion: expect.any(String)
      })
      expect(m.target).toMatchObject({
        pid: 4242,
        url: 'http://127.0.0.1:8080',
        version: '0.4.3-fake'
      })
      expect(m.parameters).toMatchObject({ durationMs: 2000, ratePerSec: 100, writers: 5 })
      expect(m.machine?.cpuCores).toBeGreaterThan(0)
      expect(JSON.stringify(m)).not.toContain('secret-pw')
      const phases = session.events
        .filter((e) => e.type === 'phase')
        .map((e) => (e.type === 'phase' ? e.phase : ''))
      expect(phases).toEqual(['setup', 'baseline', 'warmup', 'load', 'teardown'])
      expect(session.events.some((e) => e.type === 'counters')).toBe(true)
      expect(session.snapshots.map((s) => s.name).sort()).toEqual([
        'baseline-end',
        'end',
        'load-end'
      ])
      expect(session.latency?.operations['insert']?.count).toBeGreaterThan(50)
      expect(session.verdicts).toEqual(result.verdicts)
      expect(session.samples.length).toBeGreaterThan(10)
      // The namespace, table and nothing else were created and dropped again.
      expect(server.sqlLog.filter((s) => /^(CREATE|DROP)/.test(s))).toEqual([
        expect.stringMatching(/^CREATE NAMESPACE IF NOT EXISTS kp_[0-9a-f]{8}$/),
        expect.stringMatching(
          /^CREATE SHARED TABLE kp_[0-9a-f]{8}\.stress .*ACCESS_LEVEL = 'PUBLIC'/
        ),
        expect.stringMatching(/^DROP TABLE IF EXISTS kp_/),
        expect.stringMatching(/^DROP NAMESPACE IF EXISTS kp_[0-9a-f]{8} CASCADE$/)
      ])
      expect(progress.length).toBeGreaterThan(1)
      expect(progress.at(-1)).toMatchObject({ scenario: 'memory-stability', totalMs: 3000 })
      expect(progress.some((p) => p.inserts > 0 && p.achievedRatePerSec > 0)).toBe(true)
    })

    it('fails T220 with the growth figure when memory grows with every insert', async () => {
      const { result } = await run({ leakBytesPerRow: 200_000 })
      expect(result).toMatchObject({ status: 'failed', exitCode: 1 })
      const v = result.verdicts[0]!
      expect(v.pass).toBe(false)
      expect(v.measured).toBeGreaterThan(10)
      expect(v.reason).toMatch(
        /RSS went from 1\d\d\.\d MiB \(median at the start\) .* beyond < 10%\. The idle baseline was 100\.0 MiB/
      )
    })

    it('fails T223 with the count of connections the server still holds', async () => {
      const { result } = await run(
        { leakSessions: true },
        {
          scenario: 'ws-connection-leak',
          overrides: { subscribers: 6, closeCount: 3, baselineMs: 1000, settleMs: 0 }
        }
      )
      expect(result.status).toBe('failed')
      const sessions = result.verdicts.find((v) => v.name === 'Server-reported WebSocket sessions')!
      expect(sessions).toMatchObject({ measured: 6, threshold: '== 3', pass: false })
      expect(sessions.reason).toMatch(/3 closed connections still held by the server/)
    })

    it('passes T223 when the server lets closed connections go', async () => {
      const { result } = await run(
        {},
        {
          scenario: 'ws-connection-leak',
          overrides: { subscribers: 6, closeCount: 3, baselineMs: 1000, settleMs: 0 }
        }
      )
      expect(result.verdicts.map((v) => [v.name, v.measured, v.pass])).toEqual([
        ['Subscriptions opened', 6, true],
        ['Server-reported WebSocket sessions', 3, true],
        ['Server-reported active subscriptions', 3, true],
        ['RSS growth', 0, true]
      ])
    })

    it('churns extra connections in T223 and counts them in the counters events', async () => {
      const { server, result, session } = await run(
        {},
        {
          scenario: 'ws-connection-leak',
          overrides: {
            subscribers: 6,
            closeCount: 3,
            baselineMs: 1000,
            settleMs: 1100,
            churnCycles: 2,
            churnConnections: 2
          }
        }
      )
      expect(result.status).toBe('passed')
      // 6 subscribers and 2 × 2 churned connections, every one opened and closed on the server.
      expect(server.closedSessions).toBe(10)
      expect(server.sessions).toBe(0)
      const teardown = session.events.find((e) => e.type === 'phase' && e.phase === 'teardown')!
      const during = session.events.filter(
        (e): e is Extract<SessionEvent, { type: 'counters' }> =>
          e.type === 'counters' && e.t < teardown.t
      )
      // After the churn and before teardown: the 3 held stay open, the rest were closed.
      expect(during).toContainEqual(
        expect.objectContaining({ connectionsOpened: 10, connectionsClosed: 7, connectionsOpen: 3 })
      )
      expect(session.meta['measures']).toMatchObject({ churnOpened: 4, churnFailed: 0 })
      expect(
        session.events.some(
          (e) => e.type === 'marker' && /churn: 2 cycles opened and closed 4/.test(e.label)
        )
      ).toBe(true)
      expect(
        result.verdicts.find((v) => v.name === 'Server-reported WebSocket sessions')
      ).toMatchObject({ measured: 3, pass: true })
    })

    it('rewrites latency.json during a phase and saves the never-sent count', async () => {
      const server = new FakeKalamServer()
      const o = options({
        overrides: { baselineMs: 1000, warmupMs: 2000, durationMs: 3000, ratePerSec: 100 },
        latencyWriteIntervalMs: 500
      })
      // What a kill -9 during the warm-up would leave: latency.json as it is on disk then.
      const inWarmup: number[] = []
      const result = await runScenario(
        o,
        {
          onProgress: (p) => {
            const file = join(o.outDir, 'latency.json')
            if (p.phase !== 'warmup' || !existsSync(file)) return
            const latency = JSON.parse(readFileSync(file, 'utf8')) as LatencyFile
            inWarmup.push(latency.operations['insert']?.count ?? 0)
          }
        },
        deps(server)
      )
      expect(result.status).toBe('passed')
      expect(inWarmup.length).toBeGreaterThan(0)
      expect(Math.max(...inWarmup)).toBeGreaterThan(0)
      // The writers' never-sent requests are saved with the other counters.
      const session = await readSession(result.dir)
      const last = session.events.filter((e) => e.type === 'counters').at(-1)
      expect(last).toHaveProperty('unsent', expect.any(Number))
      expect(session.meta['counters']).toHaveProperty('unsent', expect.any(Number))
    })

    it("keeps T224's idle phase silent: no SQL, no stats poll, no open WebSocket", async () => {
      const { server, result, session } = await run(
        {},
        {
          scenario: 'memory-release',
          overrides: { baselineMs: 1000, durationMs: 2500, idleMs: 1500, ratePerSec: 50 }
        }
      )
      expect(result.status).not.toBe('target-crashed')
      const phases = session.events.filter((e) => e.type === 'phase')
      const idle = phases.find((e) => e.type === 'phase' && e.phase === 'idle')!
      const after = phases.find((e) => e.t > idle.t)
      const idleEnd = after?.t ?? session.meta.endedAt!
      expect(idleEnd - idle.t).toBeGreaterThanOrEqual(1400)
      // The load really talked to the server, and the idle phase did not.
      expect(server.activity.filter((a) => a.t < idle.t).map((a) => a.what)).toContain('sql')
      expect(server.activity.filter((a) => a.t >= idle.t && a.t < idleEnd)).toEqual([])
      // Every WebSocket was closed before the idle phase began.
      expect(server.sessions).toBe(0)
    })

    it('ends target-crashed with every verdict failed when the target exits mid-run', async () => {
      const server = new FakeKalamServer()
      const o = options({
        overrides: { baselineMs: 1000, durationMs: 5000, warmupMs: 500, ratePerSec: 100 }
      })
      setTimeout(() => server.crash(), 1500)
      const result = await runScenario(o, {}, deps(server))
      expect(result).toMatchObject({ status: 'target-crashed', exitCode: 1 })
      expect(
        result.verdicts.every((v) => v.pass === false && /target exited/.test(v.reason ?? ''))
      ).toBe(true)
      const session = await readSession(result.dir)
      expect(session.meta.status).toBe('target-crashed')
      expect(session.events.filter((e) => e.type === 'crash')).toHaveLength(1)
      expect(session.verdicts).toHaveLength(1)
    })

    it('notices a crash without a pid through /health', async () => {
      const server = new FakeKalamServer()
      const o = options({
        pid: null,
        overrides: { baselineMs: 1000, durationMs: 5000, warmupMs: 500, ratePerSec: 100 }
      })
      setTimeout(() => server.crash(), 1500)
      const result = await runScenario(o, {}, deps(server))
      expect(result.status).toBe('target-crashed')
    })

    it("says T227's queue is not measurable on a server that reports no job figures", async () => {
      const { result } = await run(
        { noJobFigures: true },
        {
          scenario: 'actor-stability',
          overrides: { durationMs: 2500, subscribers: 2, ratePerSec: 50, flushIntervalMs: 1000 }
        }
      )
      const queue = result.verdicts[0]!
      expect(queue).toMatchObject({ pass: null, measured: null })
      expect(queue.reason).toMatch(/^Not measurable on this server/)
      expect(result.status).toBe('failed')
    })

    it("reads T227's queue from system.jobs when system.stats has no job figures", async () => {
      const { result } = await run(
        { noJobFigures: true, jobsListed: 2 },
        {
          scenario: 'actor-stability',
          overrides: { durationMs: 1500, subscribers: 2, ratePerSec: 50, flushIntervalMs: 1000 }
        }
      )
      expect(result.verdicts.slice(0, 2)).toEqual([
        expect.objectContaining({
          measured: 2,
          pass: true,
          reason: expect.stringMatching(/system.jobs listed at most 2 waiting or running jobs/)
        }),
        expect.objectContaining({ measured: 0, pass: true })
      ])
    })

    it('counts 429s as graceful overload in T228 and passes', async () => {
      const { result, session, server } = await run(
        { rateLimitEvery: 7 },
        {
          scenario: 'graceful-degradation',
          overrides: {
            subscribers: 1,
            stepIntervalMs: 1000,
            maxRatePerSec: 300,
            stepRatePerSec: 100,
            baselineMs: 1000,
            cooldownMs: 1000
          }
        }
      )
      expect(result.status).toBe('passed')
      const counters = session.events.filter((e) => e.type === 'counters').at(-1)!
      expect(counters).toMatchObject({ rateLimited: expect.any(Number) })
      expect((counters as { rateLimited: number }).rateLimited).toBeGreaterThan(0)
      expect(session.meta['ramp']).toMatchObject({ stop: 'rate-limited' })
      // After the ramp: one flush of its rows, then a quiet cooldown (release.ts judges it).
      const phases = session.events.filter(
        (e): e is Extract<SessionEvent, { type: 'phase' }> => e.type === 'phase'
      )
      expect(phases.map((e) => e.phase)).toEqual([
        'setup',
        'baseline',
        'load',
        'cooldown',
        'teardown'
      ])
      const cooldown = phases[3]!
      const teardown = phases[4]!
      const flushes = session.events.filter((e) => e.type === 'flush')
      expect(server.flushes).toBe(1)
      expect(flushes).toEqual([
        expect.objectContaining({
          status: 'completed',
          rows: (counters as { inserts: number }).inserts
        })
      ])
      expect(flushes[0]!.t).toBeGreaterThanOrEqual(cooldown.t)
      // Its quiet lasts the cooldown after the flush.
      expect(teardown.t - flushes[0]!.t).toBeGreaterThanOrEqual(1000)
      expect(session.snapshots.map((x) => x.name).sort()).toEqual([
        'baseline-end',
        'end',
        'load-end'
      ])
    })

    it('runs T228 as the seed does with --cooldown 0s: no flush, no quiet', async () => {
      const { result, session, server } = await run(
        {},
        {
          scenario: 'graceful-degradation',
          overrides: {
            subscribers: 1,
            stepIntervalMs: 1000,
            maxRatePerSec: 200,
            stepRatePerSec: 100,
            baselineMs: 1000,
            cooldownMs: 0
          }
        }
      )
      expect(result.status).toBe('passed')
      expect(server.flushes).toBe(0)
      expect(session.events.some((e) => e.type === 'flush')).toBe(false)
      expect(session.events.some((e) => e.type === 'phase' && e.phase === 'cooldown')).toBe(false)
    })

    it('keeps the table and says so with keep', async () => {
      const { server, session } = await run({}, { keep: true })
      expect(server.sqlLog.some((s) => s.startsWith('DROP'))).toBe(false)
      expect(session.events.some((e) => e.type === 'marker' && /kept kp_/.test(e.label))).toBe(true)
    })

    it('creates workload users when the limits are low, and drops them', async () => {
      const { server, session, result } = await run(
        {
          limits: {
            maxQueriesPerSec: 100,
            maxSubscriptionsPerUser: 10,
            maxAuthRequestsPerIpPerSec: 1000
          }
        },
        { overrides: { baselineMs: 1000, durationMs: 2000, warmupMs: 500, ratePerSec: 150 } }
      )
      expect(result.status).toBe('passed')
      expect(session.meta['workload']).toMatchObject({ workloadUsers: 3 })
      expect(server.sqlLog.filter((s) => s.startsWith('CREATE USER'))).toHaveLength(3)
      expect(server.sqlLog.filter((s) => s.startsWith('DROP USER'))).toHaveLength(3)
      expect(server.users.size).toBe(0)
    })

    it('refuses before any load when users are needed and the login cannot create them', async () => {
      const server = new FakeKalamServer({ role: 'user', limits: { maxQueriesPerSec: 100 } })
      await expect(
        runScenario(options({ overrides: { ratePerSec: 500 } }), {}, deps(server))
      ).rejects.toThrow(/needs 9 workload users .* cannot create users/)
      expect(server.sqlLog).toEqual([])
    })

    it('refuses a remote URL, a missing pid and an unreachable server before creating a session', async () => {
      const server = new FakeKalamServer()
      await expect(
        runScenario(options({ url: 'http://10.0.0.1:8080' }), {}, deps(server))
      ).rejects.toThrow(/not a loopback/)
      await expect(runScenario(options({ pid: 999_999 }), {}, deps(server))).rejects.toThrow(
        /no process with pid 999999/
      )
      server.down = true
      const o = options()
      await expect(runScenario(o, {}, deps(server))).rejects.toMatchObject({ code: 'UNREACHABLE' })
      await expect(readSession(o.outDir)).rejects.toThrow(/not a session directory/)
    })

    it('ends interrupted when cancelled, with a readable session', async () => {
      const server = new FakeKalamServer()
      const ctl = new AbortController()
      const o = options({
        signal: ctl.signal,
        overrides: { baselineMs: 1000, durationMs: 10_000, warmupMs: 500 }
      })
      setTimeout(() => ctl.abort(), 1500)
      const result = await runScenario(o, {}, deps(server))
      expect(result).toMatchObject({ status: 'interrupted', exitCode: 2 })
      expect((await readSession(result.dir)).meta.status).toBe('interrupted')
      expect(server.sqlLog.some((s) => s.startsWith('DROP NAMESPACE'))).toBe(true)
    })
  })
})
