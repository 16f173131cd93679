import { writeFile } from 'node:fs/promises'
import { isAbsolute, join, resolve } from 'node:path'
import { ProfilerError, isProfilerError } from '../../../shared/errors'
import {
  SCENARIO_IDS,
  type RunProgress,
  type RunResult,
  type ScenarioId
} from '../../../shared/run'
import type { CriterionResult } from '../../../shared/session'
import { formatBytes, formatDuration, parseDuration } from '../../../shared/units'
import { analyzeSession } from '../../analysis'
import { renderTextReport } from '../../report'
import { parameterFlag, resolveScenarioId, scenarioCatalog } from '../../scenarios/catalog'
import { runScenario, type RunHooks, type RunOptions } from '../../scenarios/runner'
import { readSession } from '../../session/reader'
import { portOfUrl } from '../../workload/guard'
import { findPidListeningOn } from '../../target/discovery'
import type { Credentials } from '../../target/types'
import { defineCommand, type OptionSpec } from '../command'
import type { CliContext } from '../context'
import { type AuthFlags, authOptions, resolveCredentials } from '../credentials'
import { ExitCode } from '../exit-codes'
import { durationInRange, pid as parsePid, url as parseUrl } from '../parse-options'

interface RunCliOptions extends AuthFlags {
  url?: string
  pid?: number | 'auto'
  quick?: boolean
  out?: string
  junit?: string
  json?: boolean
  keep?: boolean
  allowRemote?: boolean
  setup?: boolean
  interval: number
  [scenarioOption: string]: unknown
}

/** One flag per distinct scenario parameter (their values are range-checked per scenario). */
function scenarioOptionSpecs(): { spec: OptionSpec; attr: string; name: string }[] {
  const seen = new Map<string, { spec: OptionSpec; attr: string; name: string }>()
  for (const s of scenarioCatalog()) {
    for (const p of s.parameters) {
      const flag = parameterFlag(p.name)
      if (seen.has(flag)) continue
      const valueName = p.kind === 'duration' ? '<duration>' : '<n>'
      const parse =
        p.kind === 'duration'
          ? (v: string) => parseDuration(v, flag.slice(2))
          : p.kind === 'boolean'
            ? undefined
            : (v: string) => {
                const n = Number(v)
                if (v.trim() === '' || !Number.isFinite(n) || n < 0)
                  throw new ProfilerError(
                    'BAD_INPUT',
                    `invalid value '${v}': expected a number ≥ 0`
                  )
                return n
              }
      const spec: OptionSpec = {
        flags: p.kind === 'boolean' ? flag : `${flag} ${valueName}`,
        description: `${p.label} (scenario option)`,
        ...(parse ? { parse } : {})
      }
      seen.set(flag, { spec, attr: camel(flag.slice(2)), name: p.name })
    }
  }
  return [...seen.values()]
}

function camel(kebab: string): string {
  return kebab.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())
}

const SCENARIO_OPTIONS = scenarioOptionSpecs()

export default defineCommand<RunCliOptions>({
  name: 'run',
  summary: 'run a stress scenario (T220–T228), record a session, print verdicts',
  details: [
    'Scenarios (id or seed number):',
    ...scenarioCatalog().map((s) => `  ${s.seed}  ${s.id.padEnd(22)} ${s.criteria.join('; ')}`),
    '  all   every scenario in sequence',
    '',
    'Scenario options apply to the scenarios that have them (`run T220 --rate 500`);',
    'defaults are the seed’s numbers, --quick shortens every scenario to well under a minute.',
    'The run creates a namespace, a SHARED table and, when KalamDB’s per-user limits',
    '(system.settings) are too low for the workload, workload users; all are dropped at the',
    'end unless --keep. Only loopback URLs unless --allow-remote.',
    '',
    '--out DIR is the session directory (with `all`: the folder of one session per scenario);',
    'default ./profiler-sessions/<timestamp>-<scenario>.',
    'Exit codes: 0 every criterion passed, 1 a criterion failed (or the target crashed),',
    '  2 could not run (bad flag, unreachable server, wrong credentials, limits), 130 Ctrl-C.',
    'Examples:',
    '  kalam-profiler run T220 --url http://127.0.0.1:8080 --pid auto --user admin --password …',
    '  kalam-profiler run all --url http://127.0.0.1:8080 --pid auto --quick --junit results.xml'
  ].join('\n'),
  args: [{ name: 'scenario', description: 'scenario id, T220…T228, or all', required: true }],
  options: [
    {
      flags: '--url <url>',
      description: 'base URL of the KalamDB server (required)',
      parse: parseUrl
    },
    {
      flags: '--pid <pid|auto>',
      description:
        "the server's process for /proc sampling; auto = the one listening on the URL's port",
      parse: (v: string) => (v.trim() === 'auto' ? 'auto' : parsePid(v))
    },
    ...authOptions,
    {
      flags: '--quick',
      description: 'short phases and lower counts: each scenario well under a minute'
    },
    { flags: '--out <dir>', description: 'session directory (see below)' },
    { flags: '--junit <file>', description: 'also write the verdicts as JUnit XML' },
    { flags: '--json', description: 'print the RunResult (an array for `all`) as JSON' },
    { flags: '--keep', description: 'keep the namespace, table and workload users' },
    { flags: '--allow-remote', description: 'allow a non-loopback URL' },
    {
      flags: '--setup',
      description: "run the server's first-time setup with these credentials if it needs it"
    },
    {
      flags: '--interval <duration>',
      description: 'sampling interval, 100ms to 60s',
      parse: durationInRange(100, 60_000, 'interval'),
      default: 1000,
      defaultDescription: '1s'
    },
    ...SCENARIO_OPTIONS.map((o) => o.spec)
  ],
  async run(args, opts, ctx) {
    return runCommand(args[0] ?? '', opts, ctx)
  }
})

async function runCommand(which: string, opts: RunCliOptions, ctx: CliContext): Promise<number> {
  const ids: ScenarioId[] =
    which.trim().toLowerCase() === 'all' ? [...SCENARIO_IDS] : [resolveScenarioId(which)]
  if (!opts.url) {
    throw new ProfilerError('BAD_INPUT', 'missing --url: e.g. --url http://127.0.0.1:8080')
  }
  const overrides = collectOverrides(opts)
  const applicable = (id: ScenarioId): Record<string, number | boolean> => {
    const info = scenarioCatalog().find((s) => s.id === id)!
    if (ids.length === 1) return overrides
    return Object.fromEntries(
      Object.entries(overrides).filter(([k]) => info.parameters.some((p) => p.name === k))
    )
  }
  if (ids.length > 1) {
    for (const name of Object.keys(overrides)) {
      if (!scenarioCatalog().some((s) => s.parameters.some((p) => p.name === name)))
        throw new ProfilerError('BAD_INPUT', `no scenario takes ${parameterFlag(name)}`)
    }
  }
  const credentials = await resolveCredentials(opts, ctx)
  const pid = await resolvePid(opts.pid, opts.url)
  const stamp = timestamp(new Date())
  const base = (p: string): string => (isAbsolute(p) ? p : resolve(ctx.cwd, p))
  const outDirFor = (id: ScenarioId): string => {
    if (ids.length === 1) return base(opts.out ?? join('profiler-sessions', `${stamp}-${id}`))
    return join(base(opts.out ?? join('profiler-sessions', `${stamp}-all`)), id)
  }

  const results: RunResult[] = []
  let couldNotRun = false
  for (const id of ids) {
    if (ctx.signal.aborted) break
    const options: RunOptions = {
      scenario: id,
      url: opts.url,
      credentials,
      pid,
      outDir: outDirFor(id),
      quick: opts.quick ?? false,
      overrides: applicable(id),
      keep: opts.keep ?? false,
      allowRemote: opts.allowRemote ?? false,
      setup: opts.setup ?? false,
      sampleIntervalMs: opts.interval,
      signal: ctx.signal,
      command: reproducingArgv(id, opts)
    }
    const progress = progressPrinter(ctx)
    const hooks: RunHooks = {
      onProgress: (p) => progress.update(p),
      onNotice: (m) => progress.note(m)
    }
    let result: RunResult
    try {
      result = await runScenario(options, hooks)
    } catch (e) {
      // With `all`, a scenario that cannot start (the server died in the one before) ends
      // the suite, but what ran is still reported below.
      if (ids.length === 1 || results.length === 0 || !isProfilerError(e)) throw e
      ctx.stderr.write(`error: ${id}: ${e.message}\n`)
      couldNotRun = true
      break
    } finally {
      progress.done()
    }
    results.push(result)
    if (!opts.json) ctx.stdout.write(verdictTable(result))
    if (result.status === 'error' || result.status === 'target-crashed') {
      const meta = (await readSession(result.dir)).meta
      if (typeof meta.endReason === 'string') ctx.stderr.write(`error: ${meta.endReason}\n`)
    }
  }

  if (opts.junit) await writeJunit(opts.junit, results, ctx, credentials)
  if (opts.json)
    ctx.stdout.write(`${JSON.stringify(ids.length === 1 ? results[0] : results, null, 2)}\n`)
  if (ctx.signal.aborted || results.some((r) => r.status === 'interrupted'))
    return ExitCode.interrupted
  return Math.max(couldNotRun ? ExitCode.couldNotRun : 0, ...results.map((r) => r.exitCode))
}

function collectOverrides(opts: RunCliOptions): Record<string, number | boolean> {
  const out: Record<string, number | boolean> = {}
  for (const o of SCENARIO_OPTIONS) {
    const v = opts[o.attr]
    if (typeof v === 'number' || typeof v === 'boolean') out[o.name] = v
  }
  return out
}

async function resolvePid(value: number | 'auto' | undefined, url: string): Promise<number | null> {
  if (value === undefined) return null
  if (value !== 'auto') return value
  const port = portOfUrl(url) ?? 80
  const found = await findPidListeningOn(port)
  if (found === null) {
    throw new ProfilerError(
      'PID_NOT_FOUND',
      `--pid auto: no process of this user listens on port ${port}`,
      {
        hint: 'pass --pid N, or leave --pid out to use the server-reported figures only'
      }
    )
  }
  return found
}

/** The argv that reproduces a run, credentials left out (they never reach a session). */
function reproducingArgv(id: ScenarioId, opts: RunCliOptions): string[] {
  const argv = ['kalam-profiler', 'run', id, '--url', opts.url ?? '']
  if (opts.pid !== undefined) argv.push('--pid', String(opts.pid))
  if (opts.quick) argv.push('--quick')
  if (opts.keep) argv.push('--keep')
  if (opts.allowRemote) argv.push('--allow-remote')
  if (opts.interval !== 1000) argv.push('--interval', `${opts.interval}ms`)
  for (const o of SCENARIO_OPTIONS) {
    const v = opts[o.attr]
    if (typeof v === 'boolean' && v) argv.push(parameterFlag(o.name))
    else if (typeof v === 'number') {
      const isDuration = o.spec.flags.endsWith('<duration>')
      argv.push(parameterFlag(o.name), isDuration ? `${v}ms` : String(v))
    }
  }
  return argv
}

function timestamp(d: Date): string {
  return d.toISOString().slice(0, 19).replace(/:/g, '-')
}

// ---------------------------------------------------------------- output

/** A live line on a TTY (rewritten in place), a plain line every few seconds otherwise. */
function progressPrinter(ctx: CliContext): {
  update(p: RunProgress): void
  note(message: string): void
  done(): void
} {
  const tty = ctx.stderr.isTTY === true
  let lastPlain = 0
  let drawn = false
  return {
    update(p) {
      const line = progressLine(p)
      if (tty) {
        ctx.stderr.write(`\r${line}\x1b[K`)
        drawn = true
      } else if (p.t - lastPlain >= 5000) {
        lastPlain = p.t
        ctx.stderr.write(`${line}\n`)
      }
    },
    note(message) {
      if (drawn) ctx.stderr.write('\r\x1b[K')
      ctx.stderr.write(`note: ${message}\n`)
    },
    done() {
      if (drawn) ctx.stderr.write('\n')
      drawn = false
    }
  }
}

export function progressLine(p: RunProgress): string {
  const parts = [
    `[${p.phase}] ${formatDuration(p.elapsedMs)} / ${formatDuration(p.totalMs)}`,
    `rate ${Math.round(p.achievedRatePerSec)}/s${p.targetRatePerSec !== null ? ` of ${Math.round(p.targetRatePerSec)}` : ''}`,
    `RSS ${p.rssBytes === null ? '-' : formatBytes(p.rssBytes)}`,
    `inserts ${p.inserts}`,
    `errors ${p.errors}`
  ]
  if (p.rateLimited > 0) parts.push(`429s ${p.rateLimited}`)
  if (p.notifications > 0 || p.droppedNotifications > 0)
    parts.push(`notifications ${p.notifications}`, `dropped ${p.droppedNotifications}`)
  if (p.disconnects > 0) parts.push(`disconnects ${p.disconnects}`)
  return parts.join('  ')
}

function measuredText(c: CriterionResult): string {
  if (c.measured === null) return 'n/a'
  switch (c.unit) {
    case 'percent':
      return `${c.measured.toFixed(1)}%`
    case 'bytes':
      return formatBytes(c.measured)
    case 'ms':
      return `${c.measured} ms`
    case 'per-sec':
      return `${c.measured}/s`
    default:
      return String(c.measured)
  }
}

export function verdictTable(r: RunResult): string {
  const seed = scenarioCatalog().find((s) => s.id === r.scenario)?.seed ?? ''
  const lines = [`${seed} ${r.scenario}: ${r.status}   (session ${r.dir})`]
  const nameW = Math.max(9, ...r.verdicts.map((v) => v.name.length))
  const thrW = Math.max(9, ...r.verdicts.map((v) => v.threshold.length))
  for (const v of r.verdicts) {
    const mark = v.pass === true ? 'PASS' : v.pass === false ? 'FAIL' : 'N/A '
    lines.push(
      `  ${mark}  ${v.name.padEnd(nameW)}  ${v.threshold.padEnd(thrW)}  ${measuredText(v).padStart(9)}  ${v.reason ?? ''}`
    )
  }
  return `${lines.join('\n')}\n`
}

async function writeJunit(
  file: string,
  results: RunResult[],
  ctx: CliContext,
  credentials: Credentials
): Promise<void> {
  const secrets = 'password' in credentials ? [credentials.password] : [credentials.token]
  const suites: string[] = []
  for (const r of results) {
    const session = await readSession(r.dir)
    const xml = renderTextReport(session, analyzeSession(session), 'junit', { secrets })
    const m = /<testsuites[^>]*>([\s\S]*)<\/testsuites>/.exec(xml)
    suites.push((m ? m[1]! : xml).trim())
  }
  const out = `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n${suites.join('\n')}\n</testsuites>\n`
  await writeFile(isAbsolute(file) ? file : resolve(ctx.cwd, file), out)
}
