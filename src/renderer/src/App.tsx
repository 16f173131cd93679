/**
 * First screen: the KalamDB processes on this machine. The full set of views (Live,
 * Scenarios, Investigation, Sessions, Export) comes with the desktop-app issue.
 */
import { useEffect, useState } from 'react'
import type { AppInfo, Target } from '../../shared/api'
import { formatBytes } from '../../shared/units'
import { getApi } from './api'

type Load<T> =
  { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; value: T }

export function App(): React.JSX.Element {
  const [info, setInfo] = useState<AppInfo | null>(null)
  const [targets, setTargets] = useState<Load<Target[]>>({ state: 'loading' })

  const refresh = (): void => {
    setTargets({ state: 'loading' })
    getApi()
      .call('targets:list', {})
      .then((value) => setTargets({ state: 'ready', value }))
      .catch((e: unknown) =>
        setTargets({ state: 'error', message: e instanceof Error ? e.message : String(e) })
      )
  }

  useEffect(() => {
    getApi()
      .call('app:info', {})
      .then(setInfo)
      .catch(() => setInfo(null))
    refresh()
  }, [])

  return (
    <main>
      <header>
        <h1>KalamDB Profiler</h1>
        {info && (
          <span className="muted">
            v{info.version} · {info.transport === 'electron' ? 'desktop app' : 'browser'} ·{' '}
            {info.platform}
          </span>
        )}
      </header>
      <section aria-labelledby="targets-heading">
        <h2 id="targets-heading">Targets</h2>
        <button type="button" onClick={refresh}>
          Refresh
        </button>
        {targets.state === 'loading' && <p role="status">Looking for KalamDB servers…</p>}
        {targets.state === 'error' && (
          <p role="alert">Could not list processes: {targets.message}</p>
        )}
        {targets.state === 'ready' && targets.value.length === 0 && (
          <p role="status">
            No KalamDB server found on this machine. Start one, or run `kalam-profiler sim`.
          </p>
        )}
        {targets.state === 'ready' && targets.value.length > 0 && (
          <table>
            <thead>
              <tr>
                <th scope="col">PID</th>
                <th scope="col">Process</th>
                <th scope="col">URL</th>
                <th scope="col">Version</th>
                <th scope="col">RSS</th>
              </tr>
            </thead>
            <tbody>
              {targets.value.map((t) => (
                <tr key={t.pid}>
                  <td>{t.pid}</td>
                  <td title={t.command}>{t.name}</td>
                  <td>{t.baseUrl ?? `ports ${t.listeningPorts.join(', ')}`}</td>
                  <td>{t.version ?? '—'}</td>
                  <td>{t.rssBytes === null ? '—' : formatBytes(t.rssBytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </main>
  )
}
