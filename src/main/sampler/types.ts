/**
 * The sampler's contract (implemented in ./sampler.ts for Linux /proc, with a
 * systeminformation fallback elsewhere). Used by `sample`, scenario runs and the app.
 */
import type { Sample } from '../../shared/sample'

export interface SamplerOptions {
  pid: number
  /** The server's HTTP port: portConnections counts inbound connections on it; null = unknown. */
  port?: number | null
  /** 100 ms … 60 s. Samples are taken on a fixed schedule from the start (no drift). */
  intervalMs: number
  signal?: AbortSignal
}

export interface SamplerHandlers {
  onSample(sample: Sample): void
  /** The process is gone; noticed within min(interval, 1 s). No sample follows. */
  onExit?(info: { pid: number; t: number }): void
  /** A read failed for another reason (permissions …); sampling stops. */
  onError?(error: Error): void
}

export interface RunningSampler {
  /** Stops the schedule; resolves once no read is in flight. */
  stop(): Promise<void>
  /** Resolves when sampling ends, with why. */
  readonly done: Promise<'stopped' | 'exited' | 'error'>
}
