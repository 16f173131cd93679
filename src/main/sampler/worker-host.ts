/**
 * The sampler on a worker thread: the main thread's side (startInWorker) and the contract
 * both sides share. The worker (./sampler-worker.ts) runs the same loop as the in-thread
 * sampler, sleeping in a futex wait, and posts its samples back in batches.
 *
 * Why a thread: at 10 Hz each event-loop wake-up costs as much as the reads it makes (about
 * 0.2% of a core on the 2-core VM, against 0.1% for a futex wait), and on the main thread
 * every tick competes with whatever else runs there — a workload's thousands of requests a
 * second, the UI's calls. Why batches: each message wakes the main thread as a timer would,
 * so below a second samples come once a second, never later than SAMPLE_BATCH_MS after they
 * were taken.
 */
import { Worker } from 'node:worker_threads'
import { ProfilerError, type ErrorData } from '../../shared/errors'
import type { Sample } from '../../shared/sample'
import { futexStop, newStopFlag } from './sleeper'
import type { RunningSampler, SamplerHandlers, SamplerOptions } from './types'

/** Samples taken below this interval reach the main thread in batches this far apart. */
export const SAMPLE_BATCH_MS = 1000

/** What the worker gets: the options that cross a thread (no signal, no probe) and its flag. */
export interface WorkerInput {
  options: WorkerSamplerOptions
  /** Int32 flag: 0 = sample, 1 = stop (see ./sleeper.ts futexSleeper). */
  flag: SharedArrayBuffer
}

export type WorkerSamplerOptions = Omit<SamplerOptions, 'signal' | 'probe'>

export type WorkerMessage =
  | { type: 'samples'; samples: Sample[] }
  | { type: 'exit'; info: { pid: number; t: number } }
  | { type: 'error'; error: ErrorData }
  | { type: 'done'; why: 'stopped' | 'exited' | 'error' }

let workerScript: URL | null = null

/**
 * Names the built worker script (an entry of the CLI and app bundles, next to their own
 * entry). Process entries call it; until one does, and off Linux, sampling stays on the
 * calling thread.
 */
export function useSamplerWorker(script: URL | null): void {
  workerScript = script
}

/** The worker script to sample with, or null to sample on the calling thread. */
export function samplerWorkerUrl(): URL | null {
  return process.platform === 'linux' ? workerScript : null
}

/** Whether the worker posts now what it has gathered, given when it last posted. */
export function batchDue(lastPostMs: number | null, nowMs: number, intervalMs: number): boolean {
  return (
    lastPostMs === null || intervalMs >= SAMPLE_BATCH_MS || nowMs - lastPostMs >= SAMPLE_BATCH_MS
  )
}

/**
 * Samples on a worker thread running `script`. Handlers run here, on the calling thread;
 * stop() (or the signal) ends the worker's sleep at once, and every sample it took before
 * stopping is delivered before `done` resolves.
 */
export function startInWorker(
  script: URL,
  options: SamplerOptions,
  handlers: SamplerHandlers
): RunningSampler {
  const { signal, probe: _probe, ...plain } = options
  const flag = newStopFlag()
  const input: WorkerInput = { options: plain, flag: flag.buffer as SharedArrayBuffer }
  const worker = new Worker(script, { workerData: input })
  const stop = (): void => futexStop(flag)
  if (signal?.aborted) stop()
  signal?.addEventListener('abort', stop, { once: true })

  const done = new Promise<'stopped' | 'exited' | 'error'>((resolve) => {
    let why: 'stopped' | 'exited' | 'error' | null = null
    let failed = false
    const fail = (e: Error): void => {
      if (failed) return
      failed = true
      why = 'error'
      stop()
      handlers.onError?.(e)
    }
    worker.on('message', (m: WorkerMessage) => {
      if (failed) return
      try {
        if (m.type === 'samples') for (const s of m.samples) handlers.onSample(s)
        else if (m.type === 'exit') handlers.onExit?.(m.info)
        else if (m.type === 'error') fail(fromErrorData(m.error))
        else why ??= m.why
      } catch (e) {
        // A handler that throws ends sampling, as it does on the calling thread.
        fail(e instanceof Error ? e : new Error(String(e)))
      }
    })
    worker.on('error', (e) => fail(e))
    worker.on('exit', () => {
      signal?.removeEventListener('abort', stop)
      if (why === null) fail(new ProfilerError('INTERNAL', 'the sampler thread ended unexpectedly'))
      resolve(why ?? 'error')
    })
  })

  return {
    done,
    async stop() {
      stop()
      await done
    }
  }
}

function fromErrorData(e: ErrorData): ProfilerError {
  return new ProfilerError(e.code, e.message, e.hint === undefined ? undefined : { hint: e.hint })
}
