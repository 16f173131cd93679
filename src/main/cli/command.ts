import type { CliContext } from './context'

/**
 * One option of a command, as a typed table row (STYLE.md §18): the flags as commander
 * spells them, what it means, and how its text becomes a value. A parse function throws
 * ProfilerError('BAD_INPUT', …); the framework prefixes the flag's name.
 */
export interface OptionSpec {
  flags: string
  description: string
  parse?: (value: string) => unknown
  default?: unknown
  /** Shown in help instead of the raw default value. */
  defaultDescription?: string
}

export interface ArgumentSpec {
  name: string
  description: string
  required: boolean
}

/**
 * A command is a function of its arguments, options and context that returns an exit
 * code; it never exits the process (STYLE.md §17).
 */
export interface CommandSpec<O = Record<string, unknown>> {
  name: string
  summary: string
  /** Extra help text: examples, notes. */
  details?: string
  args?: ArgumentSpec[]
  options: OptionSpec[]
  run(args: string[], options: O, ctx: CliContext): Promise<number>
}

/** Lets a command module keep its option type while the registry holds them all. */
export function defineCommand<O>(spec: CommandSpec<O>): CommandSpec {
  return spec as unknown as CommandSpec
}
