/**
 * What the runner needs from the rest of the engine, injected so tests drive it with fakes
 * (STYLE.md §20) and the UI and CLI share one implementation (default-deps.ts).
 */
import type { MemorySnapshot } from '../../shared/snapshot'
import type { RunningSampler, SamplerHandlers, SamplerOptions } from '../sampler/types'
import type { ConnectOptions, KalamClient } from '../target/types'
import type { HealthState } from '../workload/health'

export interface RunnerDeps {
  connect(options: ConnectOptions): Promise<KalamClient>
  startSampler(options: SamplerOptions, handlers: SamplerHandlers): RunningSampler
  takeSnapshot(
    pid: number,
    options: { dataDir?: string | null; label?: string }
  ): Promise<MemorySnapshot>
  guessDataDir(pid: number): Promise<string | null>
  /** Whether a process with this pid exists now. */
  processExists(pid: number): boolean
  /** GET /health once (targets without a pid are watched with it). */
  checkHealth(url: string): Promise<HealthState>
}

export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}
