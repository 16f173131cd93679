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
  /**
   * Minimum spacing of socket scans (default 1000 ms; 0 = every sample). A scan reads the
   * fd links and /proc/PID/net/tcp{,6}, and the kernel walks its whole connection hash for
   * each table (≈ 1.7 ms per table on a 24 GiB machine), so at sub-second intervals samples
   * in between repeat the last scan's counts and say when it was taken (Sample.socketsAt).
   */
  socketIntervalMs?: number
  /**
   * Share of one core that each expensive read (smaps_rollup, socket scan) may use on
   * average: one that costs more is spaced further apart than its minimum, up to 30 s.
   * smaps_rollup walks every page table (≈ 15 ms for 1.1 GiB in 4 KiB pages), so on a large
   * process "once a second" alone would be 1.5% of a core. Default 0.1% (READ_BUDGET) at
   * intervals of 1 s or more, 0.05% below (FAST_READ_BUDGET: the per-sample reads take most
   * of the sampler's 0.5% there); 0 = no budget, minimum spacing only.
   */
  readBudget?: number
  /** The platform reader; default: /proc on Linux, systeminformation elsewhere. For tests. */
  probe?: ProcessProbe
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

// ---------------------------------------------------------------------------------------
// Platform interface: what sampler.ts needs from an operating system. Linux reads /proc
// (./linux-probe.ts); elsewhere systeminformation's per-process figures (./fallback-probe.ts).

/** What one reading should include beyond the cheap figures (stat, statm, fd count). */
export interface ReadPlan {
  /**
   * The whole status file, for what statm lacks (VmStk, VmSwap, RssShmem): ≈ 60 µs of
   * kernel formatting on a cold cache against ≈ 5 µs for statm, so at most once a second.
   * In between, a reading repeats the last status figures (≤ 1 s old).
   */
  status: boolean
  /** PSS/USS from smaps_rollup: milliseconds on a large process, so at most once per second. */
  rollup: boolean
  /** Socket scan (fd links + TCP tables): milliseconds too, see socketIntervalMs. */
  sockets: boolean
}

/** Sample fields a probe measures directly. null = this platform cannot measure it. */
export type ProbeMemory = {
  [
    K in
      'rssBytes' | 'heapBytes' | 'fileMappedBytes' | 'stackBytes' | 'swapBytes' | 'threads' | 'fds'
  ]: number | null
}

/** One instant of a process as a probe saw it; CPU percentages are computed by the sampler. */
export interface ProbeReading {
  /** performance.now() when the CPU counters were read (the CPU delta's wall clock). */
  monoMs: number
  /** Cumulative CPU time since the process started, ms; null when the platform gives only percentages. */
  cpuTimeMs: { user: number; system: number } | null
  /** Percentages the platform computed itself (fallback); used only when cpuTimeMs is null. */
  cpuPercent?: { total: number | null; user: number | null; system: number | null }
  memory: ProbeMemory
  /** Present when the plan asked for it. */
  rollup: { pssBytes: number; ussBytes: number } | null
  /** Present when the plan asked for it; portConnections null when the port is unknown. */
  sockets: { tcpConnections: number; portConnections: number | null } | null
  /** Wall time the expensive reads took (ms), when made: the sampler spaces them by it. */
  costMs?: { rollup?: number; sockets?: number }
}

export interface ProcessProbe {
  readonly pid: number
  /** 'linux' (complete) or 'fallback' (systeminformation; fields it cannot measure are null). */
  readonly kind: 'linux' | 'fallback'
  /**
   * Checks the process exists and is readable: throws ProfilerError PID_NOT_FOUND,
   * PERMISSION_DENIED or TARGET_EXITED (a zombie) before any sample is promised.
   */
  open(): Promise<void>
  /** One reading; null when the process is gone. Throws ProfilerError on other failures. */
  read(plan: ReadPlan): Promise<ProbeReading | null>
  /** Cheap liveness check between samples (intervals above 1 s). */
  isGone(): Promise<boolean>
  close(): Promise<void>
}
