/**
 * Time for the workload engine. Intended start times and notification send stamps need
 * sub-millisecond resolution on one clock that also maps to the epoch (rows carry it to
 * the subscribers), so both come from performance.timeOrigin + performance.now().
 */
import { ProfilerError } from '../../shared/errors'

/** Epoch milliseconds with sub-ms precision. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now()
}

/** Epoch microseconds as an integer (fits a BIGINT column and a JS number: < 2^53). */
export function nowUs(): number {
  return Math.round(nowMs() * 1000)
}

/** Resolves after `ms`, or at once (without throwing) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve()
    const done = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ProfilerError('CANCELLED', 'the run was cancelled')
}

/** A child AbortController that also aborts when the parent does; dispose to unhook. */
export function linkedAbort(parent?: AbortSignal): AbortController & { dispose(): void } {
  const ctl = new AbortController() as AbortController & { dispose(): void }
  const onAbort = (): void => ctl.abort(parent?.reason)
  if (parent?.aborted) ctl.abort(parent.reason)
  else parent?.addEventListener('abort', onAbort, { once: true })
  ctl.dispose = () => parent?.removeEventListener('abort', onAbort)
  return ctl
}
