/** The real engine behind the runner: KalamDB client, /proc sampler, snapshots, health. */
import { startSampler } from '../sampler/sampler'
import { guessDataDir, takeSnapshot } from '../sampler/snapshot'
import { connectKalam } from '../target/client'
import { checkHealth } from '../workload/health'
import { processExists, type RunnerDeps } from './deps'

export function defaultDeps(): RunnerDeps {
  return {
    connect: connectKalam,
    startSampler,
    takeSnapshot,
    guessDataDir,
    processExists,
    checkHealth: (url) => checkHealth(url)
  }
}
