import { join, resolve } from 'node:path'
import { formatBytes } from '../../../shared/units'
import { analyzeSession } from '../../analysis'
import {
  CHROMIUM_ENV,
  parseReportFormat,
  REPORT_FORMATS,
  renderTextReport,
  secretsFromEnv,
  writeReport,
  type ReportFormat
} from '../../report'
import { readSession } from '../../session/reader'
import { ProfilerError } from '../../../shared/errors'
import { defineCommand } from '../command'
import { isStdout } from '../parse-options'

interface ReportCommandOptions {
  format: ReportFormat
  out?: string
  chromium?: string
}

export default defineCommand<ReportCommandOptions>({
  name: 'report',
  summary: 'export a recorded session: Markdown, HTML, JSON, CSV, JUnit XML or PDF',
  details: [
    'Examples:',
    '  kalam-profiler report ./profiler-sessions/memory-stability-… --format md > issue.md',
    '  kalam-profiler report DIR --format html --out report.html   (one self-contained file)',
    '  kalam-profiler report DIR --format junit --out junit.xml     (one testcase per criterion)',
    '  kalam-profiler report DIR --format pdf --out report.pdf      (needs headless Chromium)',
    '',
    'md stays under GitHub’s 65,536-character issue limit; csv has one row per sample with units',
    'in the header; json is the whole session plus the analysis (docs/report-json-schema.md).',
    'Passwords, tokens and Authorization headers never appear in a report.'
  ].join('\n'),
  args: [{ name: 'session-dir', description: 'a recorded session directory', required: true }],
  options: [
    {
      flags: '-f, --format <format>',
      description: `report format: ${REPORT_FORMATS.join(' | ')}`,
      parse: parseReportFormat,
      default: 'md'
    },
    {
      flags: '-o, --out <file>',
      description:
        "write the report to this file, '-' for stdout (default: stdout; pdf: <session-dir>/report.pdf)"
    },
    {
      flags: '--chromium <path>',
      description: `headless Chromium for --format pdf (default: $${CHROMIUM_ENV}, then chromium on PATH)`
    }
  ],
  async run(args, opts, ctx) {
    if (opts.format === 'pdf' && isStdout(opts.out)) {
      throw new ProfilerError(
        'BAD_INPUT',
        '--out -: a PDF is binary, give a file (e.g. --out report.pdf)'
      )
    }
    const dir = resolve(ctx.cwd, args[0] as string)
    const session = await readSession(dir)
    const analysis = analyzeSession(session)
    const options = {
      secrets: secretsFromEnv(ctx.env),
      env: ctx.env,
      signal: ctx.signal,
      ...(opts.chromium ? { chromiumPath: resolve(ctx.cwd, opts.chromium) } : {})
    }
    if ((opts.out === undefined || isStdout(opts.out)) && opts.format !== 'pdf') {
      ctx.stdout.write(renderTextReport(session, analysis, opts.format, options))
      return 0
    }
    const out = resolve(ctx.cwd, opts.out ?? join(dir, 'report.pdf'))
    const { bytes } = await writeReport(session, analysis, opts.format, out, options)
    ctx.stdout.write(`wrote ${out} (${formatBytes(bytes)})\n`)
    return 0
  }
})
