import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { RunResult } from '../../shared/run'
import { EventHub } from '../events'
import { Profiler, sessionName } from './profiler'
import { fakeEngine, fakeSample, type FakeEngine } from './test-engine'

const PASSWORD = 'pw-very-secret-123'
const URL_ = 'http://127.0.0.1:8080'

describe('profiler', () => {
  let root: string
  let engine: FakeEngine
  let events: EventHub
  let profiler: Profiler
  let emitted: [string, unknown][]

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'kp-prof-'))
    engine = fakeEngine()
    events = new EventHub()
    emitted = []
    for (const name of [
      'onState',
      'onVerdicts',
      'onRunProgress',
      'onTargetCrashed',
      'onSamples'
    ] as const)
      events.listen(name, (p) => emitted.push([name, p]))
    profiler = new Profiler({ engine, events, recordingRoot: root, simulator: null })
  })
  afterEach(async () => {
    await profiler.dispose()
    rmSync(root, { recursive: true, force: true })
  })

  describe('attach', () => {
    it('attaches by URL, finds the pid listening there, and never returns the password', async () => {
      const a = await profiler.attach({
        url: `${URL_}/`,
        credentials: { user: 'admin', password: PASSWORD }
      })
      expect(a).toMatchObject({
        pid: process.pid,
        url: URL_,
        httpPort: 8080,
        version: '0.4.3',
        user: 'admin',
        auth: 'password'
      })
      expect(engine.connectKalam).toHaveBeenCalledWith(
        expect.objectContaining({ url: URL_, setup: false })
      )
      expect(engine.samplers[0]?.pid).toBe(process.pid)
      expect(JSON.stringify(profiler.state())).not.toContain(PASSWORD)
      expect(JSON.stringify(emitted)).not.toContain(PASSWORD)
      expect(profiler.secrets()).toEqual([PASSWORD])
    })

    it('fails with PID_NOT_FOUND for a pid that does not exist', async () => {
      await expect(profiler.attach({ pid: 2 ** 22 + 17 })).rejects.toMatchObject({
        code: 'PID_NOT_FOUND'
      })
    })

    it('says why server figures are missing when attached without credentials', async () => {
      const a = await profiler.attach({ url: URL_ })
      expect(a.auth).toBe('none')
      expect(a.note).toMatch(/No credentials/)
      expect(engine.connectKalam).not.toHaveBeenCalled()
    })

    it('closes the previous client and sampler when attaching elsewhere', async () => {
      await profiler.attach({ url: URL_, credentials: { token: 't1' } })
      await profiler.attach({ url: 'http://127.0.0.1:8081', credentials: { token: 't2' } })
      expect(engine.clients[0]?.closed).toBe(true)
      expect(engine.samplers[0]?.stopped).toBe(true)
      expect(profiler.state().attachment?.url).toBe('http://127.0.0.1:8081')
    })
  })

  describe('live sampling', () => {
    it('streams samples with the server figures of the latest poll, and reports a crash', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval'] })
      try {
        await profiler.attach({ url: URL_, credentials: { token: 't' } })
        await vi.advanceTimersByTimeAsync(10)
        engine.samplers[0]!.handlers.onSample(fakeSample(1000))
        await vi.advanceTimersByTimeAsync(300)
        const batch = emitted.find(([n]) => n === 'onSamples')?.[1] as {
          samples: { wsConnections: number | null }[]
        }
        expect(batch.samples[0]?.wsConnections).toBe(7)
        engine.samplers[0]!.handlers.onExit!({ pid: process.pid, t: 2000 })
        expect(emitted.find(([n]) => n === 'onTargetCrashed')?.[1]).toEqual({
          pid: process.pid,
          t: 2000,
          message: `process ${process.pid} exited`
        })
        expect(profiler.state().live.sampling).toBe(false)
      } finally {
        vi.useRealTimers()
      }
    })
  })

  describe('runs', () => {
    it('refuses to run without credentials, in one line with a hint', async () => {
      await profiler.attach({ url: URL_ })
      await expect(
        profiler.startRun({ scenario: 'memory-stability', quick: true })
      ).rejects.toMatchObject({
        code: 'BAD_INPUT',
        hint: expect.stringMatching(/Targets/)
      })
    })

    it('runs with the kept credentials, pauses live sampling, emits progress and the verdict', async () => {
      let finish: (r: RunResult) => void = () => undefined
      engine.runScenario = vi.fn(
        (_o, hooks) =>
          new Promise<RunResult>((resolve) => {
            hooks.onProgress?.({
              t: 1,
              scenario: 'memory-stability',
              phase: 'load',
              elapsedMs: 1,
              totalMs: 2,
              achievedRatePerSec: 1,
              targetRatePerSec: 1,
              rssBytes: 1,
              inserts: 1,
              errors: 0,
              rateLimited: 0,
              notifications: 0,
              droppedNotifications: 0,
              disconnects: 0,
              criteria: []
            })
            finish = resolve
          })
      )
      await profiler.attach({ url: URL_, credentials: { user: 'admin', password: PASSWORD } })
      const state = await profiler.startRun({
        scenario: 'memory-stability',
        quick: true,
        overrides: { writers: 2 }
      })
      expect(state).toMatchObject({ scenario: 'memory-stability', quick: true, state: 'running' })
      const options = vi.mocked(engine.runScenario).mock.calls[0]![0]
      expect(options).toMatchObject({
        url: URL_,
        credentials: { user: 'admin', password: PASSWORD },
        pid: process.pid,
        quick: true,
        overrides: { writers: 2 }
      })
      expect(options.outDir.startsWith(root)).toBe(true)
      expect(engine.samplers[0]?.stopped).toBe(true)
      await expect(
        profiler.startRun({ scenario: 'memory-stability', quick: true })
      ).rejects.toMatchObject({
        message: 'a scenario is already running'
      })
      const result: RunResult = {
        dir: options.outDir,
        scenario: 'memory-stability',
        status: 'passed',
        verdicts: [],
        exitCode: 0
      }
      finish(result)
      await vi.waitFor(() => expect(profiler.state().run).toBeNull())
      expect(emitted.find(([n]) => n === 'onRunProgress')).toBeDefined()
      expect(emitted.find(([n]) => n === 'onVerdicts')?.[1]).toEqual({
        scenario: 'memory-stability',
        result,
        error: null
      })
      expect(profiler.state().lastRun).toEqual(result)
      expect(engine.samplers).toHaveLength(2)
    })

    it('turns a run that cannot start into a verdict event with the error', async () => {
      engine.runScenario = vi.fn(async () => {
        throw Object.assign(new Error('server unreachable'), {})
      })
      await profiler.attach({ url: URL_, credentials: { token: 't' } })
      await profiler.startRun({ scenario: 'query-latency', quick: true })
      await vi.waitFor(() => expect(profiler.state().run).toBeNull())
      expect(emitted.find(([n]) => n === 'onVerdicts')?.[1]).toEqual({
        scenario: 'query-latency',
        result: null,
        error: { code: 'INTERNAL', message: 'server unreachable' }
      })
    })

    it('stops a run by aborting its signal', async () => {
      engine.runScenario = vi.fn(
        (o) =>
          new Promise<RunResult>((resolve) =>
            o.signal.addEventListener('abort', () =>
              resolve({
                dir: o.outDir,
                scenario: o.scenario,
                status: 'interrupted',
                verdicts: [],
                exitCode: 1
              })
            )
          )
      )
      await profiler.attach({ url: URL_, credentials: { token: 't' } })
      await profiler.startRun({ scenario: 'memory-stability', quick: true })
      await profiler.stopRun()
      expect(profiler.state().run).toBeNull()
      expect(profiler.state().lastRun?.status).toBe('interrupted')
    })
  })

  describe('sessionName', () => {
    it('is sortable and safe as a folder name', () => {
      expect(sessionName(Date.UTC(2026, 10, 25, 16, 41, 55, 123), 'memory-stability')).toBe(
        '2026-11-25T16-41-55-memory-stability'
      )
    })
  })
})
