import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { ProfilerError } from '../../../shared/errors'
import type { Sample } from '../../../shared/sample'
import { formatBytes } from '../../../shared/units'
import { createProbe, startSampler } from '../../sampler/sampler'
import { discoverPid } from '../../target/discovery'
import { machineInfo } from '../../session/machine'
import { SessionWriter } from '../../session/writer'
import { PROFILER_VERSION } from '../../version'
import { defineCommand } from '../command'
import type { CliContext } from '../context'
import { ExitCode } from '../exit-codes'
import { durationInRange, intInRange, pid, port } from '../parse-options'

interface SampleOptions {
  pid?: number
  port?: number
  interval: number
  count?: number
  json?: boolean
  out?: string
}

export default defineCommand<SampleOptions>({
  name: 'sample',
  summary: 'sample one process: memory, CPU, threads, fds, TCP connections',
  details: [
    'Every interval prints one line: RSS (VmRSS), heap (RssAnon), file-mapped (RssFile), stack,',
    'swap, PSS and USS (smaps_rollup), CPU (100% = one core), threads, fds, established TCP',
    "connections, and the inbound ones on the server's port (--port, else the process's port",
    'whose /health answers like KalamDB, if any). Two reads cost milliseconds',
    'on a large process and are paced to 0.1% of a core each (0.05% below 1 s intervals):',
    'smaps_rollup at most once a second, up to every 30 s ("-" in between), and the socket',
    'scan at most once a second (its counts repeated in between; socketsAt in the JSON says',
    'when they were read). Stack, swap and the shmem part of file-mapped come from status,',
    'read at most once a second (repeated in between at shorter intervals).',
    'With --json each line is one Sample object (NDJSON). --out DIR also records a session',
    'directory (scenario "sample") that analyze and report read.',
    '',
    'Stops after --count samples, on Ctrl-C, or when the process exits.',
    'Exit codes: 0 done (count reached or Ctrl-C; what was printed is complete),',
    '  2 could not start (no such pid, /proc not readable, bad flag),',
    '  3 the process exited while sampled (the samples printed before stay valid).',
    'Examples:',
    '  kalam-profiler sample --pid 1234 --port 8080',
    '  kalam-profiler sample --pid 1234 --interval 100ms --count 50 --json > samples.ndjson',
    '  kalam-profiler sample --pid 1234 --interval 5s --out sessions/overnight'
  ].join('\n'),
  options: [
    { flags: '--pid <pid>', description: 'process to sample (required)', parse: pid },
    {
      flags: '--port <port>',
      description:
        "the server's HTTP port: count inbound connections on it (default: the process's port " +
        'whose /health answers like KalamDB, if any)',
      parse: port
    },
    {
      flags: '--interval <duration>',
      description: 'time between samples, 100ms to 60s',
      parse: durationInRange(100, 60_000, 'interval'),
      default: 1000,
      defaultDescription: '1s'
    },
    {
      flags: '--count <n>',
      description: 'stop after this many samples (default: until Ctrl-C)',
      parse: intInRange(1, 100_000_000, 'count')
    },
    { flags: '--json', description: 'one Sample JSON object per line (NDJSON)' },
    { flags: '--out <dir>', description: 'also record a session directory here' }
  ],
  async run(_args, opts, ctx) {
    if (opts.pid === undefined) {
      throw new ProfilerError('BAD_INPUT', 'missing --pid: e.g. kalam-profiler sample --pid 1234', {
        hint: 'find the pid with `kalam-profiler targets`'
      })
    }
    return sampleCommand({ ...opts, pid: opts.pid }, ctx)
  }
})

async function sampleCommand(
  opts: SampleOptions & { pid: number },
  ctx: CliContext
): Promise<number> {
  const outDir = opts.out === undefined ? null : freshSessionDir(resolve(ctx.cwd, opts.out))
  // Without --port, the process's own HTTP port when its /health answers like KalamDB's
  // (as `targets` finds it): inbound connections are what a server's sockets are about.
  const found = opts.port === undefined ? ((await discoverPid(opts.pid))?.httpPort ?? null) : null
  opts = found === null ? opts : { ...opts, port: found }
  // Fails here, before any output, for a missing pid or an unreadable /proc. The sampler
  // opens its own reader (on its own thread where it can).
  const probe = createProbe(opts.pid, opts.port ?? null)
  await probe.open()
  await probe.close()
  const name = await readFile(`/proc/${opts.pid}/comm`, 'utf8')
    .then((s) => s.trim())
    .catch(() => null)

  const startedAt = Date.now()
  const writer =
    outDir === null
      ? null
      : new SessionWriter(outDir, {
          scenario: 'sample',
          target: { pid: opts.pid, ...(name === null ? {} : { name }) },
          startedAt,
          parameters: {
            intervalMs: opts.interval,
            count: opts.count ?? null,
            port: opts.port ?? null
          },
          profilerVersion: PROFILER_VERSION,
          machine: machineInfo(),
          command: ['sample', ...commandArgs(opts)]
        })

  if (!opts.json) {
    ctx.stdout.write(
      `sampling pid ${opts.pid}${name ? ` (${name})` : ''} every ${formatInterval(opts.interval)}` +
        `${found === null ? '' : `, port ${found} (its /health answered)`}` +
        `${opts.count ? `, ${opts.count} samples` : ''}; Ctrl-C to stop\n${HEADER}\n`
    )
  }

  const enough = new AbortController()
  let taken = 0
  let exit: { pid: number; t: number } | null = null
  let failure: Error | null = null
  const sampler = startSampler(
    {
      pid: opts.pid,
      port: opts.port ?? null,
      intervalMs: opts.interval,
      signal: AbortSignal.any([ctx.signal, enough.signal])
    },
    {
      onSample(s) {
        // Samples come in batches from the sampler's thread: one past --count is dropped.
        if (opts.count !== undefined && taken >= opts.count) return
        taken++
        writer?.appendSample(s)
        ctx.stdout.write(opts.json ? `${JSON.stringify(s)}\n` : `${formatSampleLine(s)}\n`)
        if (opts.count !== undefined && taken >= opts.count) enough.abort()
      },
      onExit: (e) => (exit = e),
      onError: (e) => (failure = e)
    }
  )
  const why = await sampler.done

  if (why === 'exited' && exit !== null) {
    const { t } = exit
    const line = `pid ${opts.pid} exited at ${formatClock(t, true)} (noticed within ${formatInterval(Math.min(opts.interval, 1000))}); ${taken} sample${taken === 1 ? '' : 's'} taken`
    writer?.appendEvent({ t, type: 'crash', pid: opts.pid, exitedAt: t, message: line })
    writer?.finish('target-crashed', t)
    ctx.stderr.write(`${line}\n`)
    return ExitCode.targetExited
  }
  if (why === 'error') {
    writer?.finish('error')
    throw failure ?? new ProfilerError('INTERNAL', 'sampling failed')
  }
  const interrupted = opts.count !== undefined && taken < opts.count
  writer?.finish(interrupted ? 'interrupted' : 'completed')
  if (writer !== null && !opts.json) ctx.stdout.write(`session recorded in ${opts.out}\n`)
  return ExitCode.ok
}

/** The flags that reproduce this recording (nothing secret is among them). */
function commandArgs(opts: SampleOptions & { pid: number }): string[] {
  const args = ['--pid', String(opts.pid), '--interval', `${opts.interval}ms`]
  if (opts.port !== undefined) args.push('--port', String(opts.port))
  if (opts.count !== undefined) args.push('--count', String(opts.count))
  if (opts.out !== undefined) args.push('--out', opts.out)
  return args
}

/** --out must not mix two recordings in one directory. */
function freshSessionDir(dir: string): string {
  if (existsSync(join(dir, 'session.json'))) {
    throw new ProfilerError(
      'BAD_INPUT',
      `--out: '${dir}' already holds a session: choose a new directory`
    )
  }
  return dir
}

const COLUMNS: [title: string, width: number][] = [
  ['time', 12],
  ['RSS', 10],
  ['heap', 10],
  ['file', 10],
  ['stack', 10],
  ['swap', 10],
  ['PSS', 10],
  ['USS', 10],
  ['CPU', 7],
  ['thr', 5],
  ['fds', 6],
  ['tcp', 5],
  ['port', 5]
]

const HEADER = COLUMNS.map(([title, w], i) => (i === 0 ? title.padEnd(w) : title.padStart(w))).join(
  ' '
)

/** One aligned, human-readable line: units at the edge, "-" for not measured. */
export function formatSampleLine(s: Sample): string {
  const bytes = (b: number | null): string => (b === null ? '-' : formatBytes(b))
  const count = (n: number | null): string => (n === null ? '-' : String(n))
  const cells = [
    formatClock(s.t, false),
    bytes(s.rssBytes),
    bytes(s.heapBytes),
    bytes(s.fileMappedBytes),
    bytes(s.stackBytes),
    bytes(s.swapBytes),
    bytes(s.pssBytes),
    bytes(s.ussBytes),
    s.cpuPercent === null ? '-' : `${s.cpuPercent.toFixed(1)}%`,
    count(s.threads),
    count(s.fds),
    count(s.tcpConnections),
    count(s.portConnections)
  ]
  return cells
    .map((c, i) => {
      const w = COLUMNS[i]![1]
      return i === 0 ? c.padEnd(w) : c.padStart(w)
    })
    .join(' ')
}

/** Local wall-clock time, HH:MM:SS.mmm, with the date when asked. */
export function formatClock(t: number, withDate: boolean): string {
  const d = new Date(t)
  const p = (n: number, w = 2): string => String(n).padStart(w, '0')
  const time = `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`
  return withDate ? `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${time}` : time
}

function formatInterval(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`
}
