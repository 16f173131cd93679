/**
 * Everything a command touches of its process, injected so tests run commands in-process
 * (STYLE.md §20, k6's GlobalState). Commands never call process.exit or write to
 * process.stdout directly.
 */
export interface OutputStream {
  write(chunk: string): unknown
  /** True when the stream is a terminal (progress lines, colours, prompts). */
  isTTY?: boolean
}

export interface CliContext {
  stdout: OutputStream
  stderr: OutputStream
  env: Record<string, string | undefined>
  cwd: string
  /** Aborted on SIGINT/SIGTERM; long-running commands stop cleanly when it fires. */
  signal: AbortSignal
  /** Reads one line from the terminal without echo (password prompts); absent when not interactive. */
  promptSecret?: (question: string) => Promise<string>
}

/** A context that captures output in memory: for tests and for embedding. */
export function memoryContext(
  overrides: Partial<CliContext> = {}
): CliContext & { out: () => string; err: () => string } {
  let out = ''
  let err = ''
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: {},
    cwd: process.cwd(),
    signal: new AbortController().signal,
    ...overrides,
    out: () => out,
    err: () => err
  }
}
