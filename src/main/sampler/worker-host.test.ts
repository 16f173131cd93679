/**
 * The sampler on its worker thread, run from the worker script the CLI build puts beside the
 * CLI (test/global-setup.ts builds it), against real processes.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { ProfilerError } from '../../shared/errors'
import type { Sample } from '../../shared/sample'
import { samplerWorkerScript } from '../../../test/helpers/cli'
import { until } from '../../../test/helpers/until'
import { startSampler } from './sampler'
import type { SamplerHandlers } from './types'
import {
  batchDue,
  SAMPLE_BATCH_MS,
  samplerWorkerUrl,
  startInWorker,
  useSamplerWorker
} from './worker-host'

const children: ChildProcess[] = []
afterEach(() => {
  children.splice(0).forEach((c) => c.kill('SIGKILL'))
  useSamplerWorker(null)
})

function sleeper(): ChildProcess {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' })
  children.push(child)
  return child
}

/** Handlers that record what arrives, and when (performance.now()). */
function recorder() {
  const got = {
    samples: [] as { s: Sample; at: number }[],
    exits: [] as { pid: number; t: number }[],
    errors: [] as Error[]
  }
  const handlers: SamplerHandlers = {
    onSample: (s) => got.samples.push({ s, at: performance.now() }),
    onExit: (e) => got.exits.push(e),
    onError: (e) => got.errors.push(e)
  }
  return { got, handlers }
}

/** Deliveries: samples that arrived within 5 ms of the one before came in the same message. */
function deliveries(at: readonly number[]): number {
  return at.filter((a, i) => i === 0 || a - (at[i - 1] as number) > 5).length
}

describe('sampler/worker-host', () => {
  describe('batchDue', () => {
    it('posts the first sample at once', () => {
      expect(batchDue(null, 5, 100)).toBe(true)
    })

    it('batches below a second: posts once SAMPLE_BATCH_MS has passed', () => {
      expect(batchDue(1000, 1000 + SAMPLE_BATCH_MS - 1, 100)).toBe(false)
      expect(batchDue(1000, 1000 + SAMPLE_BATCH_MS, 100)).toBe(true)
    })

    it('posts every sample at intervals of a second or more', () => {
      expect(batchDue(1000, 1001, 1000)).toBe(true)
      expect(batchDue(1000, 1001, 60_000)).toBe(true)
    })
  })

  describe('samplerWorkerUrl', () => {
    it('is null until a process entry names the worker script', () => {
      expect(samplerWorkerUrl()).toBeNull()
      useSamplerWorker(samplerWorkerScript())
      expect(samplerWorkerUrl()?.href).toBe(
        process.platform === 'linux' ? samplerWorkerScript().href : undefined
      )
    })
  })

  describe.runIf(process.platform === 'linux')('startInWorker', () => {
    it('samples on the schedule, delivers in batches, and hands over every sample taken when stopped', async () => {
      const child = sleeper()
      const { got, handlers } = recorder()
      const sampler = startInWorker(
        samplerWorkerScript(),
        { pid: child.pid!, intervalMs: 100 },
        handlers
      )
      // Mid-way between two batches (the first sample comes at once, then one a second).
      await until('a first batch', () => (got.samples.length > 1 ? true : undefined), 10_000)
      await new Promise((r) => setTimeout(r, 500))
      const before = got.samples.length
      await sampler.stop()
      expect(await sampler.done).toBe('stopped')
      expect(got.errors).toEqual([])
      const ts = got.samples.map((x) => x.s.t)
      // Every tick from the first to the last, none skipped or repeated.
      expect(ts.slice(1).map((t, i) => t - (ts[i] as number))).toEqual(ts.slice(1).map(() => 100))
      // Samples gathered since the last batch came with the stop, not lost.
      expect(got.samples.length).toBeGreaterThan(before)
      expect(deliveries(got.samples.map((x) => x.at))).toBeLessThan(got.samples.length / 3)
      const s = got.samples[0]!.s
      expect(s.pid).toBe(child.pid)
      expect(s.rssBytes).toBeGreaterThan(0)
      expect(s.fds).toBeGreaterThan(0)
    })

    it('is used by startSampler once the worker script is named', async () => {
      const child = sleeper()
      useSamplerWorker(samplerWorkerScript())
      const threads = (): number =>
        Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1])
      const before = threads()
      const { got, handlers } = recorder()
      const sampler = startSampler({ pid: child.pid!, intervalMs: 1000 }, handlers)
      await until('a sample', () => got.samples[0], 10_000)
      // A worker thread is a thread of this process (its V8 platform adds a few more).
      expect(threads()).toBeGreaterThan(before)
      await sampler.stop()
      expect(await sampler.done).toBe('stopped')
    })

    it('reports an exit, after the samples taken before it, and stops', async () => {
      const child = sleeper()
      const { got, handlers } = recorder()
      let samplesAtExit = -1
      const sampler = startInWorker(
        samplerWorkerScript(),
        { pid: child.pid!, intervalMs: 100 },
        {
          ...handlers,
          onExit: (e) => {
            samplesAtExit = got.samples.length
            handlers.onExit?.(e)
          }
        }
      )
      await until('a sample', () => got.samples[0], 10_000)
      child.kill('SIGKILL')
      expect(await sampler.done).toBe('exited')
      expect(got.exits).toHaveLength(1)
      expect(got.exits[0]!.pid).toBe(child.pid)
      expect(samplesAtExit).toBe(got.samples.length)
      expect(got.errors).toEqual([])
    })

    it('carries a failure back as the same ProfilerError', async () => {
      const missing = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim())
      const { got, handlers } = recorder()
      const sampler = startInWorker(
        samplerWorkerScript(),
        { pid: missing, intervalMs: 100 },
        handlers
      )
      expect(await sampler.done).toBe('error')
      expect(got.samples).toEqual([])
      expect(got.errors).toHaveLength(1)
      expect(got.errors[0]).toBeInstanceOf(ProfilerError)
      expect(got.errors[0]).toMatchObject({ code: 'PID_NOT_FOUND' })
      expect(got.errors[0]!.message).toContain(String(missing))
    })

    it('stops at once on an aborted signal', async () => {
      const child = sleeper()
      const { got, handlers } = recorder()
      const sampler = startInWorker(
        samplerWorkerScript(),
        { pid: child.pid!, intervalMs: 100, signal: AbortSignal.abort() },
        handlers
      )
      expect(await sampler.done).toBe('stopped')
      expect(got.samples).toEqual([])
    })

    it('ends sampling when a handler throws, reporting that error', async () => {
      const child = sleeper()
      const { got, handlers } = recorder()
      const boom = new Error('consumer broke')
      const sampler = startInWorker(
        samplerWorkerScript(),
        { pid: child.pid!, intervalMs: 100 },
        {
          ...handlers,
          onSample: () => {
            throw boom
          }
        }
      )
      expect(await sampler.done).toBe('error')
      expect(got.errors).toEqual([boom])
    })

    it('says so when the thread dies', async () => {
      const { got, handlers } = recorder()
      const sampler = startInWorker(
        new URL('data:text/javascript,throw new Error("thread died")'),
        { pid: process.pid, intervalMs: 100 },
        handlers
      )
      expect(await sampler.done).toBe('error')
      expect(got.errors.map((e) => e.message)).toEqual(['thread died'])
    })
  })
})
