/**
 * The one place that turns argv into a command call and any failure into one line on
 * stderr and an exit code (STYLE.md §17, §19). Stack traces only with --verbose.
 */
import { Command, CommanderError, Option } from 'commander'
import { ProfilerError, isProfilerError } from '../../shared/errors'
import type { CommandSpec, OptionSpec } from './command'
import type { CliContext } from './context'
import { ExitCode, exitCodeFor } from './exit-codes'
import { commands } from './commands'

import { PROFILER_VERSION as VERSION } from '../version'

export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  const verbose = argv.includes('--verbose')
  let exitCode: number = ExitCode.ok
  const program = buildProgram(ctx, (code) => (exitCode = code))
  try {
    await program.parseAsync(argv, { from: 'user' })
    return exitCode
  } catch (e) {
    return reportError(e, ctx, verbose)
  }
}

function buildProgram(ctx: CliContext, setExit: (code: number) => void): Command {
  const program = new Command('kalam-profiler')
    .description(
      'Profile a local KalamDB server: memory, CPU, sockets, stress scenarios and leak verdicts.'
    )
    .version(VERSION, '-V, --version')
    .option('--verbose', 'print stack traces and debug detail on errors')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
      outputError: (s, write) => write(s)
    })
  program.configureHelp({ showGlobalOptions: true })
  for (const spec of commands) addCommand(program, spec, ctx, setExit)
  return program
}

function addCommand(
  program: Command,
  spec: CommandSpec,
  ctx: CliContext,
  setExit: (code: number) => void
): void {
  const cmd = program.command(spec.name).description(spec.summary)
  if (spec.details) cmd.addHelpText('after', `\n${spec.details}`)
  for (const a of spec.args ?? [])
    cmd.argument(a.required ? `<${a.name}>` : `[${a.name}]`, a.description)
  for (const o of spec.options) cmd.addOption(toOption(o))
  cmd.action(async (...actionArgs: unknown[]) => {
    const command = actionArgs[actionArgs.length - 1] as Command
    const positional = command.args
    const opts = command.optsWithGlobals()
    setExit(await spec.run(positional, opts, ctx))
  })
}

function toOption(spec: OptionSpec): Option {
  const opt = new Option(spec.flags, spec.description)
  if (spec.parse) {
    const parse = spec.parse
    const name = opt.long ?? opt.short ?? spec.flags
    opt.argParser((value: string) => {
      try {
        return parse(value)
      } catch (e) {
        if (isProfilerError(e))
          throw new ProfilerError(e.code, `${name}: ${e.message}`, { hint: e.hint ?? '' })
        throw e
      }
    })
  }
  if (spec.default !== undefined) opt.default(spec.default, spec.defaultDescription)
  return opt
}

function reportError(e: unknown, ctx: CliContext, verbose: boolean): number {
  if (e instanceof CommanderError) {
    // --help and --version end here with exit code 0; usage errors were already printed.
    if (
      e.code === 'commander.helpDisplayed' ||
      e.code === 'commander.version' ||
      e.exitCode === 0
    ) {
      return ExitCode.ok
    }
    return ExitCode.couldNotRun
  }
  if (isProfilerError(e)) {
    ctx.stderr.write(`error: ${e.message}\n`)
    if (e.hint) ctx.stderr.write(`hint: ${e.hint}\n`)
    if (verbose && e.stack) ctx.stderr.write(`${e.stack}\n`)
    return exitCodeFor(e.code)
  }
  const message = e instanceof Error ? e.message : String(e)
  ctx.stderr.write(
    `internal error: ${message}${verbose ? '' : ' (rerun with --verbose for details)'}\n`
  )
  if (verbose && e instanceof Error && e.stack) ctx.stderr.write(`${e.stack}\n`)
  return ExitCode.couldNotRun
}
