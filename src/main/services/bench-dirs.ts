/**
 * Which folders hold saved bench results (`kalam-profiler bench --save [DIR]`). The CLI saves
 * into ./profiler-bench; KP_BENCH_DIR or an explicit choice (`ui --bench-dir`) names another
 * folder, listed first, and the CLI's default is still listed — as with session folders.
 */
import { DEFAULT_HISTORY_DIR } from '../benchmark/history'
import { preferredFolders } from './folders'

export const BENCH_ENV = 'KP_BENCH_DIR'

export function benchDirs(options: {
  env: NodeJS.ProcessEnv
  cwd: string
  /** An explicit choice (e.g. `ui --bench-dir`), above everything else. */
  explicit?: string
}): string[] {
  return preferredFolders({
    cwd: options.cwd,
    cliDir: DEFAULT_HISTORY_DIR,
    explicit: options.explicit,
    fromEnv: options.env[BENCH_ENV]
  })
}
