/**
 * `kalam-profiler compare <A> <B>`: two sessions of one scenario, or two bench results, side
 * by side with a significance call per metric (issue 9). The verdict comes first; `--json`
 * prints the CompareResult (docs/compare-json.md), `--format md|html` a report.
 */
import { writeFile } from 'node:fs/promises'
import { extname, isAbsolute, resolve } from 'node:path'
import { ProfilerError } from '../../../shared/errors'
import {
  compareComparables,
  loadComparable,
  overlayCharts,
  renderCompareHtml,
  renderCompareMarkdown,
  renderCompareText,
  VERDICT_LABEL
} from '../../compare'
import { defineCommand } from '../command'
import type { CliContext } from '../context'
import { ExitCode } from '../exit-codes'
import { isStdout, numberInRange } from '../parse-options'

type Format = 'text' | 'md' | 'html' | 'json'
const FORMATS: Format[] = ['text', 'md', 'html', 'json']

interface CompareCliOptions {
  json?: boolean
  format?: Format
  out?: string
  noise?: number
  alpha?: number
  failOnRegression?: boolean
}

function parseFormat(v: string): Format {
  const f = v.trim().toLowerCase()
  const alias: Record<string, Format> = { markdown: 'md', htm: 'html', txt: 'text' }
  const out = (FORMATS as string[]).includes(f) ? (f as Format) : alias[f]
  if (!out)
    throw new ProfilerError('BAD_INPUT', `unknown format '${v}': use one of ${FORMATS.join(', ')}`)
  return out
}

/** "10%", "10" → 0.1 (a percentage, 0 to 100). */
function parseNoise(v: string): number {
  const n = numberInRange(0, 100, 'noise band')(v.trim().replace(/%$/, ''))
  return n / 100
}

export default defineCommand<CompareCliOptions>({
  name: 'compare',
  summary: 'two sessions or bench results side by side, with a significance call per metric',
  details: [
    'A and B: a session directory (or its session.json), a bench result file (`bench --json`,',
    '`--save`), or a bench history folder (its newest result). Both of one kind; sessions of',
    'one scenario. A is the reference, B the candidate: "worse" means B is worse than A.',
    '',
    'A difference is called only when a test says it is not chance (p < --alpha) and its 95%',
    'CI clears the noise band (--noise; memory: 2% of the baseline over the window), as',
    'Criterion does. Verdict: regression (anything significantly worse), improvement, or',
    'no-significant-difference.',
    '',
    'Exit codes: 0 compared (whatever the verdict), 1 regression with --fail-on-regression,',
    '  2 could not compare (missing path, different scenarios, a session with a bench result).',
    'Examples:',
    '  kalam-profiler compare profiler-bench/0.4.3/2026-05-01-120000.json profiler-bench/0.4.4',
    '  kalam-profiler compare profiler-sessions/old-T220 profiler-sessions/new-T220 --json',
    '  kalam-profiler compare A B --format html --out compare.html'
  ].join('\n'),
  args: [
    { name: 'A', description: 'the reference run (session dir or bench result)', required: true },
    { name: 'B', description: 'the run to judge against A', required: true }
  ],
  options: [
    { flags: '--json', description: 'print the comparison as JSON (same as --format json)' },
    {
      flags: '--format <format>',
      description: 'text (default), md, html or json',
      parse: parseFormat
    },
    {
      flags: '--out <file>',
      description:
        "write the report to a file, '-' for stdout (format from --format or the extension)"
    },
    {
      flags: '--noise <percent>',
      description: 'relative noise band a change must clear (default 10%)',
      parse: parseNoise
    },
    {
      flags: '--alpha <p>',
      description: 'significance level of the tests (default 0.05)',
      parse: numberInRange(0.0001, 0.5, 'significance level')
    },
    { flags: '--fail-on-regression', description: 'exit 1 when the verdict is regression' }
  ],
  async run(args, opts, ctx) {
    return compareCommand(args[0] ?? '', args[1] ?? '', opts, ctx)
  }
})

function formatOf(opts: CompareCliOptions): Format {
  if (opts.format) {
    if (opts.json && opts.format !== 'json') {
      throw new ProfilerError('BAD_INPUT', `--json and --format ${opts.format} disagree: give one`)
    }
    return opts.format
  }
  if (opts.json) return 'json'
  if (opts.out) {
    const ext = extname(opts.out).toLowerCase()
    if (ext === '.md' || ext === '.markdown') return 'md'
    if (ext === '.html' || ext === '.htm') return 'html'
    if (ext === '.json') return 'json'
  }
  return 'text'
}

async function compareCommand(
  pathA: string,
  pathB: string,
  opts: CompareCliOptions,
  ctx: CliContext
): Promise<number> {
  const format = formatOf(opts)
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(ctx.cwd, p))
  const [a, b] = await Promise.all([loadComparable(abs(pathA)), loadComparable(abs(pathB))])
  // Labels as the user typed them (a history folder resolves to its newest file).
  const label = (typed: string, loaded: string): string =>
    abs(typed) === loaded ? typed : `${typed} (${loaded.slice(abs(typed).length + 1) || loaded})`
  const result = compareComparables(a, b, {
    thresholds: {
      ...(opts.noise !== undefined ? { noise: opts.noise } : {}),
      ...(opts.alpha !== undefined ? { alpha: opts.alpha } : {})
    },
    labels: [label(pathA, a.path), label(pathB, b.path)]
  })
  let body: string
  switch (format) {
    case 'json':
      body = `${JSON.stringify(result, null, 2)}\n`
      break
    case 'md':
      body = renderCompareMarkdown(result, overlayCharts(a, b))
      break
    case 'html':
      body = renderCompareHtml(result, overlayCharts(a, b))
      break
    default:
      body = renderCompareText(result)
  }
  if (opts.out && !isStdout(opts.out)) {
    const file = abs(opts.out)
    await writeFile(file, body)
    ctx.stdout.write(`${VERDICT_LABEL[result.verdict]} — ${result.summary}\nwrote ${file}\n`)
  } else {
    ctx.stdout.write(body)
  }
  return opts.failOnRegression && result.verdict === 'regression'
    ? ExitCode.criteriaFailed
    : ExitCode.ok
}
