/**
 * Live: the attached process over time — memory by kind with RSS, CPU, WebSocket counts,
 * notifications, latency, overload answers (429 / 503) — with phase, flush and error markers;
 * zoom and pan per chart.
 */
import { useState } from 'react'
import { errorText, useApi } from '../../api'
import { TimeSeriesChart } from '../../charts/TimeSeriesChart'
import { MARKER_COLORS } from '../../charts/markers'
import { Empty, ErrorMessage } from '../../components/states'
import { formatBytes, formatDuration, formatPercent } from '../../format'
import { useSnapshot, useStore } from '../../state/StoreContext'
import { useLiveCharts } from './Live.hooks'
import { bytesOrDash, chartSummary, type LiveChartId } from './Live.utils'

const INTERVALS = [100, 250, 500, 1000, 2000, 5000]
const EMPTY: Record<LiveChartId, string> = {
  memory: 'No samples yet.',
  cpu: 'CPU needs two samples.',
  connections: 'No connection figures yet.',
  notifications: "Notifications, drops and disconnects arrive with a scenario's workload.",
  latency: "Latency percentiles arrive with a scenario's load phase.",
  overload: "429 and 503 answers per second arrive with a scenario's workload."
}
const ORDER: LiveChartId[] = [
  'memory',
  'cpu',
  'connections',
  'notifications',
  'latency',
  'overload'
]

export function Live(): React.JSX.Element {
  const api = useApi()
  const store = useStore()
  const { state } = useSnapshot()
  const { charts, version } = useLiveCharts()
  const [error, setError] = useState<string | null>(null)
  const attachment = state?.attachment ?? null
  const live = state?.live
  const latest = store.live.latest

  const configure = (patch: { intervalMs?: number; pollServer?: boolean }): void => {
    setError(null)
    api.call('live:configure', patch).catch((e: unknown) => setError(errorText(e)))
  }

  if (!attachment && !state?.run && !latest) {
    return (
      <section aria-labelledby="view-title" className="view">
        <h2 id="view-title" tabIndex={-1}>
          Live
        </h2>
        <Empty>
          <p>
            Nothing to show yet: attach to a KalamDB process (or start the simulator) in Targets.
          </p>
        </Empty>
      </section>
    )
  }

  return (
    <section aria-labelledby="view-title" className="view">
      <h2 id="view-title" tabIndex={-1}>
        Live
      </h2>
      {error && <ErrorMessage>{error}</ErrorMessage>}
      <div className="toolbar">
        <span role="status" aria-live="polite">
          {state?.run
            ? `Scenario ${state.run.scenario} running: the run samples the target`
            : live?.sampling
              ? `Sampling pid ${attachment?.pid ?? '?'} every ${formatDuration(live.intervalMs)}`
              : attachment?.pid === null
                ? 'No local process: nothing to sample'
                : 'Not sampling'}
        </span>
        {live && (
          <>
            <label className="inline">
              Sample every{' '}
              <select
                value={live.intervalMs}
                onChange={(e) => configure({ intervalMs: Number(e.target.value) })}
                disabled={state?.run !== null}
              >
                {INTERVALS.map((ms) => (
                  <option key={ms} value={ms}>
                    {formatDuration(ms)}
                  </option>
                ))}
              </select>
            </label>
            <label
              className="inline"
              title="Each poll runs lsof inside KalamDB and delays its idle memory trim"
            >
              <input
                type="checkbox"
                checked={live.pollServer}
                onChange={(e) => configure({ pollServer: e.target.checked })}
                disabled={state?.run !== null}
              />{' '}
              Poll server statistics (every 5 s)
            </label>
          </>
        )}
      </div>
      {latest && (
        <dl className="figures" aria-label="Latest sample">
          <div>
            <dt>RSS</dt>
            <dd>{formatBytes(latest.rssBytes)}</dd>
          </div>
          <div>
            <dt>heap</dt>
            <dd>{bytesOrDash(latest.heapBytes)}</dd>
          </div>
          <div>
            <dt>file-mapped</dt>
            <dd>{bytesOrDash(latest.fileMappedBytes)}</dd>
          </div>
          <div>
            <dt>CPU</dt>
            <dd>
              {typeof latest.cpuPercent === 'number' ? formatPercent(latest.cpuPercent) : '—'}
            </dd>
          </div>
          <div>
            <dt>threads</dt>
            <dd>{typeof latest.threads === 'number' ? `${latest.threads} threads` : '—'}</dd>
          </div>
          <div>
            <dt>open files</dt>
            <dd>{typeof latest.fds === 'number' ? `${latest.fds} fds` : '—'}</dd>
          </div>
        </dl>
      )}
      <p className="legend muted" aria-label="Marker legend">
        Markers:{' '}
        {(['phase', 'flush', 'error', 'crash'] as const).map((k) => (
          <span key={k} className="legend-item">
            <span className="swatch" style={{ background: MARKER_COLORS[k] }} aria-hidden="true" />{' '}
            {k}
          </span>
        ))}
        · Zoom with the mouse wheel, pan by dragging, or use the buttons.
      </p>
      <div className="charts">
        {ORDER.map((id) => (
          <TimeSeriesChart
            key={id}
            spec={charts[id]}
            version={version}
            summary={chartSummary(id, store.live)}
            emptyText={EMPTY[id]}
          />
        ))}
      </div>
    </section>
  )
}
