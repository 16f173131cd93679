import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'

/** Path of the CLI built for this test run by test/global-setup.ts. */
export function cliEntry(): string {
  const entry = process.env.KP_CLI
  if (!entry) throw new Error('KP_CLI is not set: run tests through vitest (test/global-setup.ts)')
  return entry
}

/** The sampler's worker script, built beside the CLI (vite.cli.config.ts). */
export function samplerWorkerScript(): URL {
  return pathToFileURL(join(dirname(cliEntry()), 'sampler-worker.js'))
}

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Runs the built CLI as a separate process (smoke tests only; prefer runCli in-process). */
export function runCliProcess(
  args: string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {}
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliEntry(), ...args], {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
}
