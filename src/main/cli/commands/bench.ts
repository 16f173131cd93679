/**
 * `kalam-profiler bench`: the seed's KalamDB performance benchmarks against a live target,
 * with Criterion-style statistics and the seed's Performance Targets (issue 9). Progress goes
 * to stderr (a bar on a terminal, a line per benchmark otherwise); results to stdout.
 */
import { EventEmitter } from 'node:events'
import { isAbsolute, resolve } from 'node:path'
import type { BenchmarkId, BenchmarkOutcome, BenchResult } from '../../../shared/bench'
import { ProfilerError } from '../../../shared/errors'
import {
  DEFAULT_HISTORY_DIR,
  formatFigure,
  parseOnly,
  renderBenchText,
  runBench,
  saveResult,
  type BenchProgress
} from '../../benchmark'
import { defineCommand } from '../command'
import type { CliContext } from '../context'
import { type AuthFlags, authOptions, resolveCredentials } from '../credentials'
import { ExitCode } from '../exit-codes'
import { durationInRange, pid as parsePid, url as parseUrl } from '../parse-options'

interface BenchCliOptions extends AuthFlags {
  url?: string
  json?: boolean
  save?: boolean | string
  quick?: boolean
  only?: BenchmarkId[]
  duration?: number
  strict?: boolean
  keep?: boolean
  allowRemote?: boolean
  setup?: boolean
  pid?: number | 'auto'
}

export default defineCommand<BenchCliOptions>({
  name: 'bench',
  summary:
    "the seed's performance benchmarks against a KalamDB server, checked against its targets",
  details: [
    'Benchmarks (the seed’s list, in order; pick with --only):',
    '  write-latency         one-row INSERT, send to answer        target p95 < 1 ms',
    '  read-latency          point SELECT by primary key            target p95 < 1 ms',
    '  query-latency         a simple bounded query                 target median < 100 ms',
    '  flush-throughput      STORAGE FLUSH TABLE of N rows          target > 10,000 rows/s',
    '  notification-latency  INSERT → WebSocket change              target p95 < 10 ms',
    '  sustained-write       1,000 one-row inserts/s held (--duration)  target ≥ 980 rows/s, 0 failed',
    '  concurrent-writes     1, 2, 4, 8, 16 closed-loop writers → throughput and latency',
    '',
    'Statistics as Criterion: warm-up, repeated samples, median with a 95% bootstrap CI,',
    'outliers counted by Tukey fences. Raw samples are kept in the JSON for `compare`.',
    'Writers are spread over workload users when the server’s per-user query rate',
    '(100/s by default) is too low; figures shaped by that limit say "limit-bound".',
    'Creates a namespace kp_<tag> with its tables (and users); all dropped at the end unless --keep.',
    '',
    '--save [DIR] keeps the result as DIR/<version>[+<build>]/<date>-<time>.json',
    `(default DIR ./${DEFAULT_HISTORY_DIR}); compare two of them with \`kalam-profiler compare A B\`.`,
    'Exit codes: 0 every benchmark ran (targets are reported, see --strict), 1 a target was',
    '  missed with --strict, 2 could not run or a benchmark failed, 130 Ctrl-C.',
    'Examples:',
    '  kalam-profiler bench --url http://127.0.0.1:8080 --user admin --password … --save',
    '  kalam-profiler bench --url http://127.0.0.1:8080 --quick --only write-latency,read-latency --json'
  ].join('\n'),
  options: [
    {
      flags: '--url <url>',
      description: 'base URL of the KalamDB server (required)',
      parse: parseUrl
    },
    ...authOptions,
    { flags: '--json', description: 'print the result as JSON (raw samples included)' },
    {
      flags: '--save [dir]',
      description: `keep the result in a history folder (default ./${DEFAULT_HISTORY_DIR})`
    },
    { flags: '--quick', description: 'few samples and short runs: seconds in all (demos, tests)' },
    {
      flags: '--only <names>',
      description: 'comma-separated benchmarks to run (default: all)',
      parse: parseOnly
    },
    {
      flags: '--duration <duration>',
      description:
        'how long sustained-write holds 1,000 inserts/s (1s to 1h; default 30s, quick 2s)',
      parse: durationInRange(1000, 3_600_000, 'duration')
    },
    {
      flags: '--pid <pid|auto>',
      description:
        "the server's process, for its memory from /proc (default auto: the KalamDB process listening on the URL's port; else system.stats)",
      parse: (v: string) => (v.trim() === 'auto' ? 'auto' : parsePid(v))
    },
    { flags: '--strict', description: 'exit 1 when a target is missed' },
    { flags: '--keep', description: 'keep the namespace, tables and workload users' },
    { flags: '--allow-remote', description: 'allow a non-loopback URL' },
    {
      flags: '--setup',
      description: "run the server's first-time setup with these credentials if it needs it"
    }
  ],
  async run(_args, opts, ctx) {
    return benchCommand(opts, ctx)
  }
})

async function benchCommand(opts: BenchCliOptions, ctx: CliContext): Promise<number> {
  if (!opts.url)
    throw new ProfilerError('BAD_INPUT', 'missing --url: e.g. --url http://127.0.0.1:8080')
  const credentials = await resolveCredentials(opts, ctx)
  const progress = progressPrinter(ctx)
  // The workload's writer pool puts one abort listener per request in flight on its own
  // signal: 17 writers (one per workload user) pass Node's warning threshold of 10 by
  // design. Signals created from here on get a threshold that fits; restored afterwards.
  const maxListeners = EventEmitter.defaultMaxListeners
  EventEmitter.defaultMaxListeners = Math.max(maxListeners, 64)
  let result: BenchResult
  try {
    result = await runBench(
      {
        url: opts.url,
        credentials,
        quick: opts.quick ?? false,
        ...(opts.only ? { only: opts.only } : {}),
        ...(opts.duration ? { sustainedMs: opts.duration } : {}),
        setup: opts.setup ?? false,
        allowRemote: opts.allowRemote ?? false,
        keep: opts.keep ?? false,
        ...(opts.pid !== undefined ? { pid: opts.pid } : {}),
        signal: ctx.signal,
        command: reproducingArgv(opts)
      },
      {
        onProgress: (p) => progress.update(p),
        onNotice: (m) => progress.note(m),
        onBenchmark: (o) => progress.finished(o)
      }
    )
  } finally {
    EventEmitter.defaultMaxListeners = maxListeners
    progress.done()
  }
  let savedTo: string | undefined
  if (opts.save !== undefined && opts.save !== false) {
    const dir = typeof opts.save === 'string' ? opts.save : DEFAULT_HISTORY_DIR
    savedTo = await saveResult(isAbsolute(dir) ? dir : resolve(ctx.cwd, dir), result)
    if (opts.json) ctx.stderr.write(`saved to ${savedTo}\n`)
  }
  ctx.stdout.write(
    opts.json ? `${JSON.stringify(result, null, 2)}\n` : renderBenchText(result, savedTo)
  )
  if (result.benchmarks.some((b) => b.status === 'failed')) return ExitCode.couldNotRun
  if (opts.strict && result.targets.some((t) => t.pass === false)) return ExitCode.criteriaFailed
  return ExitCode.ok
}

/** argv without credentials, for the result's `command`. */
function reproducingArgv(opts: BenchCliOptions): string[] {
  const argv = ['bench', '--url', opts.url ?? '']
  if (opts.quick) argv.push('--quick')
  if (opts.only) argv.push('--only', opts.only.join(','))
  if (opts.duration) argv.push('--duration', `${opts.duration}ms`)
  return argv
}

const BAR_WIDTH = 20

function progressPrinter(ctx: CliContext): {
  update(p: BenchProgress): void
  note(message: string): void
  finished(o: BenchmarkOutcome): void
  done(): void
} {
  const tty = ctx.stderr.isTTY === true
  let drawn = false
  let announced = ''
  let total = 0
  let finished = 0
  const clear = (): void => {
    if (drawn) ctx.stderr.write('\r\x1b[K')
    drawn = false
  }
  return {
    update(p) {
      total = p.total
      if (!tty) {
        if (announced !== p.benchmark) {
          announced = p.benchmark
          ctx.stderr.write(`bench ${p.index}/${p.total} ${p.benchmark}: running\n`)
        }
        return
      }
      const share = p.of > 0 ? Math.min(1, p.done / p.of) : 0
      const filled = Math.round(share * BAR_WIDTH)
      const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`
      ctx.stderr.write(
        `\r[${p.index}/${p.total}] ${p.benchmark} ${p.phase} ${bar} ${p.done}/${p.of}\x1b[K`
      )
      drawn = true
    },
    note(message) {
      clear()
      ctx.stderr.write(`note: ${message}\n`)
    },
    finished(o) {
      clear()
      finished++
      const head = o.figures[0]
      const figure = head
        ? `, ${head.label} median ${formatFigure(head.unit, head.stats.median)} (n=${head.stats.n})`
        : ''
      ctx.stderr.write(
        `bench ${finished}/${total || '?'} ${o.id}: ${o.status === 'ok' ? 'done' : `FAILED: ${o.error ?? ''}`}${figure}, ${(o.durationMs / 1000).toFixed(1)} s\n`
      )
    },
    done() {
      clear()
    }
  }
}
