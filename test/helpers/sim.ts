/**
 * Starts the KalamDB simulator as its own process on a free loopback port, the way a user
 * or the app does (`kalam-profiler sim --json`), and stops it with SIGINT like a real
 * server. Every test that starts one stops it in afterEach/afterAll.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { cliEntry } from './cli'

export const SIM_USER = 'admin'
export const SIM_PASSWORD = 'kalamdb123'

export interface RunningSim {
  url: string
  pid: number
  child: ChildProcess
  /** Everything the simulator wrote to stderr so far (for failure messages). */
  stderr(): string
  /** SIGINT, then SIGKILL after 5 s; resolves when the process is gone. */
  stop(): Promise<void>
}

export interface StartSimOptions {
  /** Start already set up with admin/kalamdb123 (default true); false = needs setup like a new server. */
  configured?: boolean
  /** Extra flags, e.g. ['--leak-bytes-per-insert', '2048']. */
  args?: string[]
  timeoutMs?: number
}

export async function startSim(options: StartSimOptions = {}): Promise<RunningSim> {
  const args = [cliEntry(), 'sim', '--port', '0', '--json']
  if (options.configured ?? true) args.push('--configured', `${SIM_USER}:${SIM_PASSWORD}`)
  args.push(...(options.args ?? []))
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let err = ''
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const first = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! })
    const timer = setTimeout(
      () => reject(new Error(`simulator did not start in time: ${err}`)),
      options.timeoutMs ?? 15_000
    )
    rl.once('line', (line) => {
      clearTimeout(timer)
      resolve(line)
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`simulator exited with ${code} before it started: ${err}`))
    })
  })
  const info = JSON.parse(first) as { url: string; pid: number }
  return {
    url: info.url,
    pid: info.pid,
    child,
    stderr: () => err,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGINT')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    }
  }
}
