/**
 * `npm run bench -- <name>`: benchmarks of the product itself. They measure and print;
 * they never fail on a time (machines here are 2 noisy cores).
 */
import { useSamplerWorker } from '../src/main/sampler/worker-host'

// As the CLI does (src/main/cli/index.ts): the worker is built beside this file.
useSamplerWorker(new URL('./sampler-worker.js', import.meta.url))

interface Suite {
  run(args: string[]): Promise<void>
}

const suites: Record<string, () => Promise<Suite>> = {
  analysis: () => import('./analysis'),
  sampler: () => import('./sampler'),
  sim: () => import('./sim'),
  workload: () => import('./workload'),
  ui: () => import('./ui')
}

export {}

const [name, ...rest] = process.argv.slice(2)
const load = name === undefined ? undefined : suites[name]
if (!load) {
  process.stderr.write(`usage: npm run bench -- <${Object.keys(suites).join('|')}> [options]\n`)
  process.exitCode = 2
} else {
  await (await load()).run(rest)
}
