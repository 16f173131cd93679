import { stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { ProfilerError } from '../../../shared/errors'
import { analyzeSession } from '../../analysis'
import { renderAnalysisText } from '../../analysis/render-text'
import { readSession } from '../../session/reader'
import { defineCommand } from '../command'

interface AnalyzeOptions {
  json?: boolean
}

export default defineCommand<AnalyzeOptions>({
  name: 'analyze',
  summary: 'verdicts for a recorded session: leak or stable per memory metric, and why',
  details: [
    'Examples:',
    '  kalam-profiler analyze ./profiler-sessions/memory-stability-…',
    '  kalam-profiler analyze DIR --json    (the machine form: DESIGN.md "analyze --json")',
    '',
    'Works on any session directory, down to one holding only session.json and samples.ndjson.',
    'Findings come first, in words; then the figures. Exit 0 once analysed (whatever the',
    'verdicts), 2 when the directory is missing or is not a readable session.'
  ].join('\n'),
  args: [{ name: 'session-dir', description: 'a recorded session directory', required: true }],
  options: [{ flags: '--json', description: 'print the analysis as JSON (AnalysisResult)' }],
  async run(args, opts, ctx) {
    const dir = resolve(ctx.cwd, args[0] as string)
    await requireDirectory(dir, args[0] as string)
    const session = await readSession(dir)
    if (session.samples.length === 0 && session.skippedLines > 0) {
      throw new ProfilerError(
        'SESSION_INVALID',
        `${dir}: samples.ndjson holds no readable sample (${session.skippedLines} unreadable line${session.skippedLines === 1 ? '' : 's'})`
      )
    }
    const analysis = analyzeSession(session)
    ctx.stdout.write(
      opts.json
        ? `${JSON.stringify(analysis, null, 2)}\n`
        : renderAnalysisText(session.meta, analysis)
    )
    return 0
  }
})

async function requireDirectory(dir: string, given: string): Promise<void> {
  const s = await stat(dir).catch(() => null)
  if (!s) {
    throw new ProfilerError('BAD_INPUT', `no such directory: ${given}`)
  }
  if (!s.isDirectory()) throw new ProfilerError('BAD_INPUT', `${given} is not a directory`)
}
