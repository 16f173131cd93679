/**
 * Process entry of the CLI: wires the real process into a CliContext and leaves the rest
 * to runCli. The only file of the CLI that touches `process` directly.
 */
import { runCli } from './run-cli'
import type { CliContext } from './context'
import { promptSecret } from './prompt'
import { useSamplerWorker } from '../sampler/worker-host'

// Built beside this file (vite.cli.config.ts): the sampler's schedule runs on its own thread.
useSamplerWorker(new URL('./sampler-worker.js', import.meta.url))

const controller = new AbortController()
let signalled = 0
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    signalled++
    // A second Ctrl-C means "now": give up on clean shutdown.
    if (signalled > 1) process.exit(130)
    controller.abort(new Error(`received ${sig}`))
  })
}

// `kalam-profiler sample --json | head`: when the reader goes away, stop like other Unix
// tools do — quietly, and through the same abort path as Ctrl-C so sessions end cleanly.
let stdoutClosed = false
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e
  stdoutClosed = true
  controller.abort(new Error('stdout closed'))
})
const stdout = {
  write: (chunk: string): boolean => (stdoutClosed ? true : process.stdout.write(chunk)),
  isTTY: process.stdout.isTTY
}

const ctx: CliContext = {
  stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
  ...(process.stdin.isTTY ? { promptSecret } : {})
}

process.exitCode = await runCli(process.argv.slice(2), ctx)
