/**
 * Sessions: the recorded runs (this app's and the CLI's folder), opened in Investigation,
 * compared two at a time, deleted after a confirmation. A second tab lists saved bench
 * results (`bench --save`) and compares two of them.
 */
import { useRef, useState } from 'react'
import type { SessionSummary } from '../../../../shared/api'
import { errorText, useApi } from '../../api'
import { Empty, ErrorMessage, Loading, StatusBadge } from '../../components/states'
import { formatDateTime, formatDuration } from '../../format'
import { useSnapshot, useStore } from '../../state/StoreContext'
import { useSessions } from '../../state/sessions.hooks'
import { BenchResults } from './BenchResults'
import { Compare } from './Compare'

const TABS = [
  { id: 'sessions', label: 'Recorded sessions' },
  { id: 'bench', label: 'Bench results' }
] as const
type Tab = (typeof TABS)[number]['id']

/** The view's two tabs, as the WAI-ARIA tabs pattern: arrows, Home and End move between them. */
function SessionsTabs({
  tab,
  onChange
}: {
  tab: Tab
  onChange: (t: Tab) => void
}): React.JSX.Element {
  const refs = useRef<Partial<Record<Tab, HTMLButtonElement | null>>>({})
  const move = (e: React.KeyboardEvent): void => {
    const i = TABS.findIndex((t) => t.id === tab)
    const next =
      e.key === 'ArrowRight'
        ? (i + 1) % TABS.length
        : e.key === 'ArrowLeft'
          ? (i - 1 + TABS.length) % TABS.length
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? TABS.length - 1
              : null
    if (next === null) return
    e.preventDefault()
    const id = TABS[next]!.id
    onChange(id)
    refs.current[id]?.focus()
  }
  return (
    <div role="tablist" aria-label="Recorded sessions or bench results" className="row">
      {TABS.map((t) => (
        <button
          key={t.id}
          ref={(el) => {
            refs.current[t.id] = el
          }}
          type="button"
          role="tab"
          id={`sessions-tab-${t.id}`}
          aria-selected={tab === t.id}
          aria-controls={`sessions-panel-${t.id}`}
          tabIndex={tab === t.id ? 0 : -1}
          onClick={() => onChange(t.id)}
          onKeyDown={move}
        >
          {t.label}
        </button>
      ))}
    </div>
  )
}

export function Sessions(): React.JSX.Element {
  const api = useApi()
  const store = useStore()
  const { info } = useSnapshot()
  const { sessions, refresh } = useSessions(api)
  const [picked, setPicked] = useState<string[]>([])
  const [comparing, setComparing] = useState<[SessionSummary, SessionSummary] | null>(null)
  const [confirm, setConfirm] = useState<SessionSummary | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [tab, setTab] = useState<Tab>('sessions')

  const open = (s: SessionSummary): void => {
    store.selectSession(s.dir)
    store.setView('investigation')
  }
  const toggle = (dir: string, on: boolean): void =>
    setPicked((p) =>
      on ? [...p.filter((d) => d !== dir), dir].slice(-2) : p.filter((d) => d !== dir)
    )
  const remove = async (s: SessionSummary): Promise<void> => {
    setError(null)
    try {
      await api.call('session:delete', { dir: s.dir })
      setPicked((p) => p.filter((d) => d !== s.dir))
      if (comparing?.some((c) => c.dir === s.dir)) setComparing(null)
      if (store.getSnapshot().session === s.dir) store.selectSession(null)
      refresh()
    } catch (e) {
      setError(errorText(e))
    } finally {
      setConfirm(null)
    }
  }
  const list = sessions.state === 'ready' ? sessions.value : []
  const pickedSessions = picked
    .map((d) => list.find((s) => s.dir === d))
    .filter((s): s is SessionSummary => !!s)

  return (
    <section aria-labelledby="view-title" className="view">
      <h2 id="view-title" tabIndex={-1}>
        Sessions
      </h2>
      <SessionsTabs tab={tab} onChange={setTab} />
      {tab === 'bench' ? (
        <div role="tabpanel" id="sessions-panel-bench" aria-labelledby="sessions-tab-bench">
          <BenchResults />
        </div>
      ) : (
        <div role="tabpanel" id="sessions-panel-sessions" aria-labelledby="sessions-tab-sessions">
          <div className="toolbar">
            <button type="button" onClick={refresh}>
              Refresh sessions
            </button>
            <button
              type="button"
              disabled={pickedSessions.length !== 2}
              onClick={() => setComparing([pickedSessions[0]!, pickedSessions[1]!])}
              title="Tick two sessions to compare them"
            >
              Compare selected ({pickedSessions.length} of 2)
            </button>
            {info && <span className="muted small">Folders: {info.sessionDirs.join(', ')}</span>}
          </div>
          {error && <ErrorMessage>{error}</ErrorMessage>}
          {confirm && (
            <div
              role="alertdialog"
              aria-modal="false"
              aria-labelledby="confirm-title"
              className="panel danger"
            >
              <p id="confirm-title">
                Delete the session {confirm.name}? Its folder and everything in it are removed; this
                cannot be undone.
              </p>
              <div className="row">
                <button
                  type="button"
                  className="danger"
                  onClick={() => void remove(confirm)}
                  autoFocus
                >
                  Delete session
                </button>
                <button type="button" onClick={() => setConfirm(null)}>
                  Cancel
                </button>
              </div>
            </div>
          )}
          {sessions.state === 'loading' && <Loading>Reading sessions…</Loading>}
          {sessions.state === 'error' && (
            <ErrorMessage>Could not list sessions: {sessions.message}</ErrorMessage>
          )}
          {sessions.state === 'ready' && list.length === 0 && (
            <Empty>
              <p>No recorded sessions yet. Run a scenario (Scenarios) and it appears here.</p>
            </Empty>
          )}
          {list.length > 0 && (
            <table>
              <caption className="visually-hidden">Recorded sessions, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Compare</th>
                  <th scope="col">Scenario</th>
                  <th scope="col">Target</th>
                  <th scope="col">Started</th>
                  <th scope="col">Duration</th>
                  <th scope="col">Verdict</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((s) => (
                  <tr key={s.dir}>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`Select ${s.name} for comparison`}
                        checked={picked.includes(s.dir)}
                        onChange={(e) => toggle(s.dir, e.target.checked)}
                      />
                    </td>
                    <td title={s.dir}>{s.scenario}</td>
                    <td>
                      {s.target.url ?? '—'}
                      {s.target.pid !== null && (
                        <span className="muted"> · pid {s.target.pid}</span>
                      )}
                      {s.target.version && <span className="muted"> · {s.target.version}</span>}
                    </td>
                    <td>{formatDateTime(s.startedAt)}</td>
                    <td className="num">
                      {s.endedAt === null ? '—' : formatDuration(s.endedAt - s.startedAt)}
                    </td>
                    <td>
                      <StatusBadge status={s.status} />{' '}
                      <span className="muted small">
                        {s.criteriaPassed} passed, {s.criteriaFailed} failed
                        {s.criteriaUnmeasured ? `, ${s.criteriaUnmeasured} not measured` : ''}
                      </span>
                    </td>
                    <td className="actions">
                      <button type="button" onClick={() => open(s)} aria-label={`Open ${s.name}`}>
                        Open
                      </button>
                      <button
                        type="button"
                        onClick={() => setConfirm(s)}
                        aria-label={`Delete ${s.name}`}
                      >
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {comparing && <Compare a={comparing[0]} b={comparing[1]} />}
        </div>
      )}
    </section>
  )
}
