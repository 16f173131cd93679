/**
 * `kalam-profiler sample`: output formats, the session directory, and every bad input of
 * issue 3 (missing pid, pid exiting mid-run, unreadable /proc, malformed flags), run
 * in-process through runCli (STYLE.md §20) against real child processes — sampling on the
 * built worker thread, as the CLI does (the loop on the calling thread is tested in
 * src/main/sampler/sampler.test.ts and sampler-ground-truth.test.ts).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { Agent, get } from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { SampleSchema } from '../../src/shared/api-schemas'
import { formatSampleLine } from '../../src/main/cli/commands/sample'
import { memoryContext } from '../../src/main/cli/context'
import { runCli } from '../../src/main/cli/run-cli'
import { readSession } from '../../src/main/session/reader'
import { useSamplerWorker } from '../../src/main/sampler/worker-host'
import { cliEntry, samplerWorkerScript } from '../helpers/cli'
import { startSim } from '../helpers/sim'

/** GET through a keep-alive agent, the body read so the socket goes back to the pool. */
function fetchVia(agent: Agent, url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    get(url, { agent }, (res) => {
      res.resume()
      res.on('end', () => resolve())
    }).on('error', reject)
  })
}

beforeAll(() => useSamplerWorker(samplerWorkerScript()))
afterAll(() => useSamplerWorker(null))

const cleanup: (() => void)[] = []
afterEach(() => {
  while (cleanup.length) cleanup.pop()!()
})

function sleeper(): ChildProcess {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' })
  cleanup.push(() => child.kill('SIGKILL'))
  return child
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kp-sample-'))
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** pid_max itself is never a pid (pids are below it), and it is within --pid's range. */
function missingPid(): number {
  return Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim())
}

/** A context whose stdout calls back on every complete line. */
function lineContext(onLine?: (line: string, n: number) => void, signal?: AbortSignal) {
  let n = 0
  const ctx = memoryContext(signal ? { signal } : {})
  const write = ctx.stdout.write
  ctx.stdout.write = (s: string) => {
    write(s)
    for (const line of s.split('\n').filter(Boolean)) onLine?.(line, ++n)
  }
  return ctx
}

const stderrLines = (text: string): string[] => text.split('\n').filter(Boolean)

describe.runIf(process.platform === 'linux')('cli sample', () => {
  it('prints --count samples as NDJSON, each a valid Sample', async () => {
    const child = sleeper()
    const ctx = lineContext()
    const code = await runCli(
      ['sample', '--pid', String(child.pid), '--interval', '100ms', '--count', '3', '--json'],
      ctx
    )
    expect(code).toBe(0)
    const lines = ctx.out().trim().split('\n')
    expect(lines).toHaveLength(3)
    const samples = lines.map((l) => SampleSchema.parse(JSON.parse(l)))
    expect(samples[1]!.t - samples[0]!.t).toBe(100)
    expect(samples[0]).toMatchObject({ pid: child.pid, portConnections: null, wsConnections: null })
    expect(samples[0]!.pssBytes).toBeGreaterThan(0)
    expect(samples[1]!.pssBytes).toBeNull()
    expect(ctx.err()).toBe('')
  })

  it("counts inbound connections on the server's HTTP port found by /health when --port is not given", async () => {
    const sim = await startSim()
    cleanup.push(() => void sim.stop())
    const port = Number(new URL(sim.url).port)
    // Two keep-alive connections held open to the server while it is sampled.
    const agent = new Agent({ keepAlive: true, maxSockets: 2 })
    cleanup.push(() => agent.destroy())
    await Promise.all([0, 1].map(() => fetchVia(agent, `${sim.url}/health`)))
    const ctx = lineContext()
    const code = await runCli(['sample', '--pid', String(sim.pid), '--count', '1'], ctx)
    expect(code).toBe(0)
    expect(ctx.out()).toContain(`port ${port} (its /health answered)`)
    const json = lineContext()
    await runCli(['sample', '--pid', String(sim.pid), '--count', '1', '--json'], json)
    const sample = SampleSchema.parse(JSON.parse(json.out().trim()))
    expect(sample.portConnections).toBeGreaterThanOrEqual(2)
  })

  it('prints aligned human-readable lines with units by default', async () => {
    const child = sleeper()
    const ctx = lineContext()
    const code = await runCli(
      ['sample', '--pid', String(child.pid), '--interval', '100ms', '--count', '2', '--port', '1'],
      ctx
    )
    expect(code).toBe(0)
    const [intro, header, ...rows] = ctx.out().trim().split('\n')
    expect(intro).toMatch(new RegExp(`^sampling pid ${child.pid} \\(sleep\\) every 100 ms`))
    expect(header).toMatch(/^time\s+RSS\s+heap\s+file\s+stack\s+swap\s+PSS\s+USS\s+CPU/)
    expect(rows).toHaveLength(2)
    for (const row of rows) {
      expect(row).toHaveLength(header!.length)
      expect(row).toMatch(/^\d\d:\d\d:\d\d\.\d{3} +\d+(\.\d)? [KM]iB/)
    }
    // Second sample: no rollup ("-"), CPU measured, port known: 0 inbound.
    expect(rows[1]).toMatch(/ - +- +\d+\.\d% +1 +\d+ +0 +0$/)
  })

  it('records a session directory that the session reader accepts', async () => {
    const child = sleeper()
    const out = join(tempDir(), 'session')
    const ctx = lineContext()
    const code = await runCli(
      [
        'sample',
        '--pid',
        String(child.pid),
        '--interval',
        '100ms',
        '--count',
        '4',
        '--json',
        '--out',
        out
      ],
      ctx
    )
    expect(code).toBe(0)
    const session = await readSession(out)
    expect(session.meta).toMatchObject({
      schemaVersion: 1,
      scenario: 'sample',
      target: { pid: child.pid },
      status: 'completed',
      parameters: { intervalMs: 100, count: 4, port: null }
    })
    expect(session.meta.endedAt).toBeGreaterThanOrEqual(session.meta.startedAt)
    expect(session.samples).toHaveLength(4)
    expect(session.samples.map((s) => JSON.stringify(s))).toEqual(ctx.out().trim().split('\n'))
  })

  it('refuses an --out directory that already holds a session', async () => {
    const child = sleeper()
    const out = tempDir()
    const args = [
      'sample',
      '--pid',
      String(child.pid),
      '--count',
      '1',
      '--interval',
      '100ms',
      '--json',
      '--out',
      out
    ]
    expect(await runCli(args, lineContext())).toBe(0)
    const ctx = lineContext()
    expect(await runCli(args, ctx)).toBe(2)
    expect(ctx.err()).toMatch(
      /^error: --out: '.*' already holds a session: choose a new directory\n$/
    )
  })

  it('stops with one line naming the pid and the time, exit 3, when the process exits', async () => {
    const child = sleeper()
    const out = join(tempDir(), 'session')
    const ctx = lineContext((_line, n) => {
      if (n === 3) child.kill('SIGKILL')
    })
    const code = await runCli(
      ['sample', '--pid', String(child.pid), '--interval', '100ms', '--json', '--out', out],
      ctx
    )
    expect(code).toBe(3)
    const err = stderrLines(ctx.err())
    expect(err).toHaveLength(1)
    expect(err[0]).toMatch(
      new RegExp(
        `^pid ${child.pid} exited at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*; \\d+ samples taken$`
      )
    )
    // What was printed before stays valid NDJSON, and the session says what happened.
    const lines = ctx.out().trim().split('\n')
    expect(lines.length).toBeGreaterThanOrEqual(3)
    lines.forEach((l) => SampleSchema.parse(JSON.parse(l)))
    const session = await readSession(out)
    expect(session.meta.status).toBe('target-crashed')
    expect(session.samples).toHaveLength(lines.length)
    expect(session.events).toEqual([
      expect.objectContaining({ type: 'crash', pid: child.pid, message: err[0] })
    ])
  })

  it('stops cleanly with exit 0 on Ctrl-C, printing every sample taken before it', async () => {
    const child = sleeper()
    const ac = new AbortController()
    let abortedAt = 0
    const ctx = lineContext((_l, n) => {
      if (n !== 2) return
      abortedAt = Date.now()
      ac.abort()
    }, ac.signal)
    const code = await runCli(
      ['sample', '--pid', String(child.pid), '--interval', '100ms', '--json'],
      ctx
    )
    expect(code).toBe(0)
    expect(ctx.err()).toBe('')
    // Samples come from the sampler's thread a second's worth at a time: those of the batch
    // that carried the second line were taken before Ctrl-C too, and are printed, whole.
    const samples = ctx
      .out()
      .trim()
      .split('\n')
      .map((l) => SampleSchema.parse(JSON.parse(l)))
    expect(samples.length).toBeGreaterThanOrEqual(2)
    const ts = samples.map((x) => x.t)
    expect(ts.slice(1).map((t, i) => t - ts[i]!)).toEqual(ts.slice(1).map(() => 100))
    // A tick's time is when its read was due: at most the interval after Ctrl-C's moment.
    expect(ts[ts.length - 1]!).toBeLessThanOrEqual(abortedAt + 100)
  })

  describe('bad input', () => {
    it('says there is no such process, exit 2', async () => {
      const ctx = lineContext()
      const pid = missingPid()
      expect(await runCli(['sample', '--pid', String(pid)], ctx)).toBe(2)
      expect(stderrLines(ctx.err())[0]).toBe(`error: no process with pid ${pid}`)
      expect(ctx.out()).toBe('')
    })

    it('requires --pid', async () => {
      const ctx = lineContext()
      expect(await runCli(['sample'], ctx)).toBe(2)
      expect(stderrLines(ctx.err())[0]).toBe(
        'error: missing --pid: e.g. kalam-profiler sample --pid 1234'
      )
    })

    it.each([
      [
        ['--interval', '5'],
        "error: --interval: invalid interval '5': use a number with a unit, e.g. 500ms, 30s, 5m"
      ],
      [
        ['--interval', '50ms'],
        "error: --interval: invalid interval '50ms': must be between 100ms and 1m"
      ],
      [
        ['--interval', '2m'],
        "error: --interval: invalid interval '2m': must be between 100ms and 1m"
      ],
      [
        ['--count', '0'],
        "error: --count: invalid count '0': expected a whole number from 1 to 100000000"
      ],
      [
        ['--count', 'ten'],
        "error: --count: invalid count 'ten': expected a whole number from 1 to 100000000"
      ],
      [
        ['--pid', 'abc'],
        "error: --pid: invalid pid 'abc': expected a whole number from 1 to 4194304"
      ]
    ])('rejects %j in one line, exit 2', async (flags, message) => {
      const ctx = lineContext()
      expect(await runCli(['sample', '--pid', String(process.pid), ...flags], ctx)).toBe(2)
      expect(ctx.err()).toBe(`${message}\n`)
      expect(ctx.out()).toBe('')
    })

    it("says another user's /proc is not readable and how to fix it", (t) => {
      const result = runAsOtherUser()
      // Neither root with setpriv nor a normal user, or a checkout nobody may read: say so.
      if (result === null) return t.skip()
      expect(result.status).toBe(2)
      const [error, hint, ...rest] = stderrLines(result.stderr)
      expect(error).toMatch(
        /^error: cannot read \/proc\/\d+\/(fd|smaps_rollup): permission denied \(pid \d+ belongs to uid 0, the profiler runs as uid \d+\)$/
      )
      expect(hint).toMatch(/^hint: run the profiler as the process's user \(or root\)/)
      expect(rest).toEqual([])
      expect(result.stdout).toBe('')
    })
  })
})

describe('cli sample formatSampleLine', () => {
  it('keeps columns aligned for large and missing values', () => {
    const line = formatSampleLine({
      t: 0,
      pid: 1,
      rssBytes: 1023.9 * 1024 ** 3,
      pssBytes: null,
      ussBytes: null,
      heapBytes: 0,
      fileMappedBytes: 5 * 1024 ** 2,
      stackBytes: 132 * 1024,
      swapBytes: 0,
      cpuPercent: 199.5,
      cpuUserPercent: 150,
      cpuSystemPercent: 49.5,
      threads: 1234,
      fds: 123456,
      tcpConnections: 10000,
      portConnections: null,
      wsConnections: null
    })
    expect(line).toHaveLength(formatSampleLine({ ...sampleZero }).length)
    expect(line).toContain('1023.9 GiB')
    expect(line).toContain('199.5%')
  })
})

const sampleZero = {
  t: 0,
  pid: 1,
  rssBytes: 0,
  pssBytes: 0,
  ussBytes: 0,
  heapBytes: 0,
  fileMappedBytes: 0,
  stackBytes: 0,
  swapBytes: 0,
  cpuPercent: 0,
  cpuUserPercent: 0,
  cpuSystemPercent: 0,
  threads: 0,
  fds: 0,
  tcpConnections: 0,
  portConnections: 0,
  wsConnections: null
}

/**
 * Runs the built CLI against a process of another user. As root: the CLI runs as `nobody`
 * (setpriv) against a child of ours (root's). As a normal user: the CLI runs as us against
 * pid 1 (root's). The test build sits in a private folder, so it is copied to one nobody
 * may read, inside the checkout so its dependencies resolve from node_modules.
 */
function runAsOtherUser(): { status: number | null; stdout: string; stderr: string } | null {
  const uid = process.getuid!()
  if (uid !== 0) {
    // In a container pid 1 may be ours: then there is no other user's process to try.
    const owner = /^Uid:\s+(\d+)/m.exec(readFileSync('/proc/1/status', 'utf8'))?.[1]
    if (Number(owner) === uid) return null
    const r = spawnSync(process.execPath, [cliEntry(), 'sample', '--pid', '1', '--count', '1'], {
      encoding: 'utf8'
    })
    return { status: r.status, stdout: r.stdout, stderr: r.stderr }
  }
  if (spawnSync('setpriv', ['--version']).status !== 0) return null
  const copy = mkdtempSync(resolve('out', 'sampler-perm-'))
  cleanup.push(() => rmSync(copy, { recursive: true, force: true }))
  cpSync(dirname(cliEntry()), copy, { recursive: true })
  chmodSync(copy, 0o755)
  const asNobody = (...args: string[]) =>
    spawnSync(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        process.execPath,
        join(copy, 'index.js'),
        ...args
      ],
      { encoding: 'utf8', cwd: tmpdir() }
    )
  // The checkout (or node) may be out of nobody's reach, e.g. under /root.
  if (asNobody('--version').status !== 0) return null
  const child = sleeper()
  const r = asNobody('sample', '--pid', String(child.pid), '--count', '1')
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}
