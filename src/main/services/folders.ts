/**
 * Where a front end keeps and finds recorded files (sessions, bench results): one folder
 * first — an explicit choice, else the environment's, else the front end's own, else the
 * CLI's — and the CLI's folder after it, so what a terminal recorded shows up too.
 */
import { resolve } from 'node:path'

export function preferredFolders(options: {
  cwd: string
  /** The CLI's folder, relative to cwd. */
  cliDir: string
  explicit?: string
  fromEnv?: string
  appDir?: string
}): string[] {
  const cli = resolve(options.cwd, options.cliDir)
  const primary = options.explicit
    ? resolve(options.cwd, options.explicit)
    : options.fromEnv
      ? resolve(options.cwd, options.fromEnv)
      : options.appDir
        ? resolve(options.appDir)
        : cli
  return primary === cli ? [primary] : [primary, cli]
}
