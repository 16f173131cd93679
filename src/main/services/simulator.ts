/**
 * The built-in simulator, started exactly as a user would start it: the built CLI's `sim`
 * command as its own process (never imported: the product must speak KalamDB's protocol
 * only). Its first stdout line is `{"url","pid"}`; SIGINT stops it like a real server.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createInterface } from 'node:readline'
import type { SimulatorInfo } from '../../shared/api'
import { ProfilerError } from '../../shared/errors'

export interface SimulatorLaunch {
  /** The Node runtime: process.execPath (Electron's, with ELECTRON_RUN_AS_NODE=1). */
  execPath: string
  /** The built CLI entry, out/cli/index.js. */
  cliEntry: string
  env?: NodeJS.ProcessEnv
  /** Extra `sim` flags (fault options). */
  args?: string[]
  startTimeoutMs?: number
}

export interface RunningSimulator extends SimulatorInfo {
  /** The admin account the simulator was configured with (stays in this process). */
  credentials: { user: string; password: string }
  /** Resolves with the exit once the process ends (crash or stop). */
  readonly exited: Promise<void>
  stop(): Promise<void>
}

export const SIM_USER = 'admin'

export async function startSimulator(launch: SimulatorLaunch): Promise<RunningSimulator> {
  const password = randomBytes(12).toString('base64url')
  const args = [launch.cliEntry, 'sim', '--port', '0', '--json']
  args.push('--configured', `${SIM_USER}:${password}`, ...(launch.args ?? []))
  const child: ChildProcess = spawn(launch.execPath, args, {
    env: launch.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000)
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! })
    const fail = (why: string): void => {
      clearTimeout(timer)
      rl.close()
      child.kill('SIGKILL')
      const last = stderr.trim().split('\n').pop()
      reject(new ProfilerError('INTERNAL', `the simulator ${why}${last ? `: ${last}` : ''}`))
    }
    const timer = setTimeout(() => fail('did not start in time'), launch.startTimeoutMs ?? 15_000)
    const onError = (e: Error): void => fail(`could not be started (${e.message})`)
    const onExit = (code: number | null): void => fail(`exited with ${code} before it started`)
    child.once('error', onError)
    child.once('exit', onExit)
    rl.once('line', (l) => {
      clearTimeout(timer)
      child.off('exit', onExit)
      child.off('error', onError)
      rl.close()
      resolve(l)
    })
  })
  let info: { url?: unknown; pid?: unknown }
  try {
    info = JSON.parse(line) as typeof info
  } catch {
    info = {}
  }
  if (typeof info.url !== 'string' || typeof info.pid !== 'number') {
    child.kill('SIGKILL')
    throw new ProfilerError('PROTOCOL', `the simulator printed an unexpected first line: ${line}`)
  }
  // The pipes must keep draining or a chatty simulator blocks on a full pipe.
  child.stdout?.resume()
  return {
    url: info.url,
    pid: info.pid,
    credentials: { user: SIM_USER, password },
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGINT')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    }
  }
}
