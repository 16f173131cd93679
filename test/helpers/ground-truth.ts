/**
 * Drives ./ground-truth.c: compiles it with the system C compiler (.ci/run installs gcc) and
 * runs it as a child answering one line per command. Used by the sampler's ground-truth
 * test and its benchmark.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

/**
 * Compiles the helper into dir; throws one clear line when there is no C compiler.
 * @param source the C file; bundles (the benchmark) pass its path from the checkout root.
 */
export function compileGroundTruth(dir: string, source = defaultSource()): string {
  const binary = join(dir, 'ground-truth')
  const r = spawnSync('cc', ['-O1', '-o', binary, source], { encoding: 'utf8' })
  if (r.error) throw new Error(`cannot run cc (${r.error.message}): install gcc, as .ci/run does`)
  if (r.status !== 0) throw new Error(`cc failed on ground-truth.c:\n${r.stderr}`)
  return binary
}

function defaultSource(): string {
  return fileURLToPath(new URL('./ground-truth.c', import.meta.url))
}

export interface GroundTruthProcess {
  pid: number
  /** The helper's own loopback listener (accepts on `accept N`). */
  port: number
  /** Sends one command; resolves with the answer after "ok" ("" for a bare ok). */
  send(command: string, timeoutMs?: number): Promise<string>
  /** Kills it (idempotent) and waits for the exit. */
  stop(): Promise<void>
}

export async function startGroundTruth(binary: string): Promise<GroundTruthProcess> {
  const child: ChildProcessWithoutNullStreams = spawn(binary, [], { stdio: 'pipe' })
  const lines = createInterface({ input: child.stdout })
  const waiting: ((line: string) => void)[] = []
  const queued: string[] = []
  lines.on('line', (line) => {
    const w = waiting.shift()
    if (w) w(line)
    else queued.push(line)
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const nextLine = (timeoutMs: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const q = queued.shift()
      if (q !== undefined) return resolve(q)
      const timer = setTimeout(() => {
        waiting.splice(waiting.indexOf(done), 1)
        reject(new Error(`ground-truth helper did not answer within ${timeoutMs} ms`))
      }, timeoutMs)
      const done = (line: string): void => {
        clearTimeout(timer)
        resolve(line)
      }
      waiting.push(done)
    })

  const ready = await nextLine(10_000)
  const m = /^ready (\d+) (\d+)$/.exec(ready)
  if (!m) {
    child.kill('SIGKILL')
    throw new Error(`ground-truth helper did not start: '${ready}'`)
  }
  return {
    pid: Number(m[2]),
    port: Number(m[1]),
    async send(command, timeoutMs = 30_000) {
      child.stdin.write(`${command}\n`)
      const answer = await nextLine(timeoutMs)
      if (!answer.startsWith('ok')) throw new Error(`ground-truth '${command}': ${answer}`)
      return answer.slice(2).trim()
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
      lines.close()
    }
  }
}
