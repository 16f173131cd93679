/**
 * The app shell: header, the six views as links (Alt+1 … Alt+6; Ctrl/Cmd+1 … 6 in the
 * desktop menu), banners that matter everywhere (engine unreachable, target crashed).
 */
import { useEffect, useMemo } from 'react'
import { VIEWS, type ViewName } from '../../shared/api'
import type { ApiClient } from '../../shared/client'
import { ApiContext } from './api'
import { AppStore, viewFromHash } from './state/store'
import { StoreContext, useSnapshot, useStore } from './state/StoreContext'
import { Export } from './views/Export/Export'
import { Investigation } from './views/Investigation/Investigation'
import { Live } from './views/Live/Live'
import { Scenarios } from './views/Scenarios/Scenarios'
import { Sessions } from './views/Sessions/Sessions'
import { Targets } from './views/Targets/Targets'

export const VIEW_TITLES: Record<ViewName, string> = {
  targets: 'Targets',
  live: 'Live',
  scenarios: 'Scenarios',
  investigation: 'Investigation',
  sessions: 'Sessions',
  export: 'Export'
}

const VIEW_COMPONENTS: Record<ViewName, () => React.JSX.Element> = {
  targets: Targets,
  live: Live,
  scenarios: Scenarios,
  investigation: Investigation,
  sessions: Sessions,
  export: Export
}

function Shell(): React.JSX.Element {
  const store = useStore()
  const { view, info, state, error, crash } = useSnapshot()

  useEffect(() => store.start(), [store])
  useEffect(() => {
    const onHash = (): void => store.setView(viewFromHash(window.location.hash))
    const onKey = (e: KeyboardEvent): void => {
      const n = Number(e.key)
      if (e.altKey && !e.ctrlKey && !e.metaKey && n >= 1 && n <= VIEWS.length) {
        e.preventDefault()
        store.setView(VIEWS[n - 1]!)
      }
    }
    window.addEventListener('hashchange', onHash)
    window.addEventListener('keydown', onKey)
    return () => {
      window.removeEventListener('hashchange', onHash)
      window.removeEventListener('keydown', onKey)
    }
  }, [store])
  useEffect(() => {
    if (viewFromHash(window.location.hash) !== view)
      window.history.replaceState(null, '', `#${view}`)
    document.title = `${VIEW_TITLES[view]} · KalamDB Profiler`
    // Move focus to the new view's heading so keyboard and screen-reader users land there.
    document.getElementById('view-title')?.focus({ preventScroll: true })
  }, [view])

  const View = VIEW_COMPONENTS[view]
  const a = state?.attachment
  return (
    <>
      <header className="app-header">
        <h1>KalamDB Profiler</h1>
        {info && (
          <span className="muted small">
            v{info.version} · {info.transport === 'electron' ? 'desktop app' : 'browser'} ·{' '}
            {info.platform}
          </span>
        )}
        <span className="pill" role="status" aria-label="Target">
          {a
            ? `Attached: ${a.simulator ? 'simulator' : (a.url ?? `pid ${a.pid}`)}${a.pid !== null ? ` (pid ${a.pid})` : ''}`
            : 'Not attached'}
          {state?.run ? ` · running ${state.run.scenario}` : ''}
        </span>
      </header>
      <nav aria-label="Views" className="tabs">
        {VIEWS.map((v, i) => (
          <a
            key={v}
            href={`#${v}`}
            aria-current={v === view ? 'page' : undefined}
            aria-keyshortcuts={`Alt+${i + 1}`}
            onClick={(e) => {
              e.preventDefault()
              store.setView(v)
            }}
          >
            {VIEW_TITLES[v]}
          </a>
        ))}
      </nav>
      {error && (
        <div role="alert" className="banner danger">
          Cannot reach the profiler engine: {error}{' '}
          <button type="button" onClick={() => void store.refresh()}>
            Retry
          </button>
        </div>
      )}
      {crash && view !== 'scenarios' && (
        <div role="alert" className="banner danger">
          The target process (pid {crash.pid}) exited: {crash.message}.{' '}
          <button type="button" onClick={() => store.dismissCrash()}>
            Dismiss
          </button>
        </div>
      )}
      <main>
        <View />
      </main>
    </>
  )
}

export function App({ api }: { api: ApiClient }): React.JSX.Element {
  const store = useMemo(() => new AppStore(api, viewFromHash(window.location.hash)), [api])
  return (
    <ApiContext.Provider value={api}>
      <StoreContext.Provider value={store}>
        <Shell />
      </StoreContext.Provider>
    </ApiContext.Provider>
  )
}
