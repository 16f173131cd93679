/**
 * Which folders hold sessions. The CLI records into ./profiler-sessions; the app records
 * into its own folder (Electron: userData/sessions) and still lists the CLI's, so a run
 * started from a terminal shows up in the UI. KP_SESSIONS_DIR overrides the recording folder.
 */
import { join } from 'node:path'
import { preferredFolders } from './folders'

export const SESSIONS_ENV = 'KP_SESSIONS_DIR'
export const CLI_SESSIONS_DIR = 'profiler-sessions'

export function sessionDirs(options: {
  env: NodeJS.ProcessEnv
  cwd: string
  /** The front end's own folder (Electron userData/sessions); default: the CLI's. */
  appDir?: string
  /** An explicit choice (e.g. `ui --sessions-dir`), above everything else. */
  explicit?: string
}): string[] {
  return preferredFolders({
    cwd: options.cwd,
    cliDir: CLI_SESSIONS_DIR,
    explicit: options.explicit,
    fromEnv: options.env[SESSIONS_ENV],
    appDir: options.appDir
  })
}

export function electronSessionsDir(userData: string): string {
  return join(userData, 'sessions')
}
