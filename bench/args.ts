/** The value after `name` in a suite's arguments (`--seconds 60`), or undefined. */
export function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
