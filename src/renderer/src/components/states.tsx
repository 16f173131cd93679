/** The empty, loading and error states every view uses, announced to screen readers. */
import type { ReactNode } from 'react'

export type Load<T> =
  | { state: 'idle' }
  | { state: 'loading' }
  | { state: 'error'; message: string }
  | { state: 'ready'; value: T }

export function Loading({ children }: { children: ReactNode }): React.JSX.Element {
  return (
    <p role="status" className="state loading">
      {children}
    </p>
  )
}

export function Empty({ children }: { children: ReactNode }): React.JSX.Element {
  return (
    <div role="status" className="state empty">
      {children}
    </div>
  )
}

export function ErrorMessage({ children }: { children: ReactNode }): React.JSX.Element {
  return (
    <p role="alert" className="state error">
      {children}
    </p>
  )
}

/** pass → "passed", fail → "failed", null → "not measured": never a bare colour. */
export function PassBadge({ pass }: { pass: boolean | null }): React.JSX.Element {
  const [cls, text] =
    pass === null ? ['pending', 'not measured'] : pass ? ['pass', 'passed'] : ['fail', 'failed']
  return <span className={`badge ${cls}`}>{text}</span>
}

export function StatusBadge({ status }: { status: string }): React.JSX.Element {
  const cls =
    status === 'passed' || status === 'completed'
      ? 'pass'
      : status === 'failed' || status === 'target-crashed' || status === 'error'
        ? 'fail'
        : 'pending'
  return <span className={`badge ${cls}`}>{status}</span>
}
