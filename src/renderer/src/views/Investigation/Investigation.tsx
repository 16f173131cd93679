/**
 * Investigation: the analysis of a session in words first, then the evidence — growth with
 * the fitted trend, snapshot diff, attribution, connection reconciliation, latency.
 */
import { useEffect, useMemo } from 'react'
import {
  ATTRIBUTION_UNIT,
  BEFORE_FLUSH_NOTE,
  fitText,
  type AnalysisResult
} from '../../../../shared/analysis'
import { useApi } from '../../api'
import { HistogramChart } from '../../charts/HistogramChart'
import { TimeSeriesChart } from '../../charts/TimeSeriesChart'
import { SessionPicker } from '../../components/SessionPicker'
import { Empty, ErrorMessage, Loading, StatusBadge } from '../../components/states'
import { formatBytes, formatMs, formatPercent, formatSlope } from '../../format'
import { useSnapshot, useStore } from '../../state/StoreContext'
import { useAnalysis, useSessions, useSessionView } from '../../state/sessions.hooks'
import { CriteriaTable } from '../Scenarios/Scenarios'
import { SnapshotsPanel } from './SnapshotsPanel'
import {
  connectionsVerdict,
  growthSpec,
  headline,
  latencyHistogramSpecs,
  latencyRows,
  metricName,
  missingConnections,
  thinnedNote
} from './Investigation.utils'

function Findings({ a }: { a: AnalysisResult }): React.JSX.Element {
  return (
    <div className="panel answer" aria-label="Analysis">
      <h3>
        Verdict: <StatusBadge status={a.status} />
      </h3>
      <p className="headline">{headline(a)}</p>
      {a.findings.length > 0 && (
        <ul className="findings">
          {a.findings.map((f, i) => (
            <li key={i} className={f.severity}>
              <span className="visually-hidden">{f.severity}: </span>
              {f.text}
            </li>
          ))}
        </ul>
      )}
      {a.criteria.length > 0 && <CriteriaTable criteria={a.criteria} caption="Pass criteria" />}
    </div>
  )
}

function Growth({ a }: { a: AnalysisResult }): React.JSX.Element {
  const rows = Object.entries(a.metrics)
  if (rows.length === 0) return <Empty>No memory metrics could be judged.</Empty>
  return (
    <table>
      <caption>Growth by metric</caption>
      <thead>
        <tr>
          <th scope="col">Metric</th>
          <th scope="col">Verdict</th>
          <th scope="col">Baseline</th>
          <th scope="col">Final</th>
          <th scope="col">Growth (%)</th>
          <th scope="col">Slope (95% CI)</th>
          <th scope="col">Released after load (%)</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([field, m]) => (
          <tr key={field}>
            <td>
              {metricName(field)}
              <div className="muted small">{m.reason}</div>
            </td>
            <td>
              <span
                className={`badge ${m.verdict === 'leak' ? 'fail' : m.verdict === 'stable' ? 'pass' : 'pending'}`}
              >
                {m.verdict}
              </span>
            </td>
            <td className="num">{formatBytes(m.baselineBytes)}</td>
            <td className="num">{formatBytes(m.finalBytes)}</td>
            <td className="num">{formatPercent(m.growthPercent)}</td>
            <td className="num">
              {formatSlope(m.slopeBytesPerMin)} ({formatSlope(m.slopeCi95[0])} …{' '}
              {formatSlope(m.slopeCi95[1])})
            </td>
            <td className="num">
              {m.releasedPercent === null ? '—' : formatPercent(m.releasedPercent)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function Attribution({ a }: { a: AnalysisResult }): React.JSX.Element {
  if (a.attribution.length === 0)
    return (
      <Empty>
        No attribution: the workload counters did not explain the memory (or were not recorded).
      </Empty>
    )
  return (
    <table>
      <caption>What memory grows with</caption>
      <thead>
        <tr>
          <th scope="col">Metric</th>
          <th scope="col">Per</th>
          <th scope="col">Bytes per unit (95% CI)</th>
          <th scope="col">Fit (r²)</th>
        </tr>
      </thead>
      <tbody>
        {a.attribution.map((x) => (
          <tr key={`${x.metric}-${x.per}`}>
            <td>{metricName(x.metric)}</td>
            <td>{ATTRIBUTION_UNIT[x.per]}</td>
            <td className="num">
              {formatBytes(x.bytesPerUnit)} ({formatBytes(x.ci95[0])} … {formatBytes(x.ci95[1])})
              {x.beforeFlush ? ` — ${BEFORE_FLUSH_NOTE}` : ''}
            </td>
            <td className="num">{fitText(x)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function Connections({ a }: { a: AnalysisResult }): React.JSX.Element {
  const c = a.connections
  if (!c) return <Empty>No connection figures in this session.</Empty>
  const n = (v: number | null): string => (v === null ? 'not measured' : `${v} connections`)
  const missing = missingConnections(c)
  return (
    <>
      <dl className="figures" aria-label="Connection reconciliation">
        <div>
          <dt>expected (opened − closed by the profiler)</dt>
          <dd>{n(c.expected)}</dd>
        </div>
        <div>
          <dt>sockets on the server&apos;s port</dt>
          <dd>{n(c.sockets)}</dd>
        </div>
        <div>
          <dt>sessions the server reports</dt>
          <dd>{n(c.serverReported)}</dd>
        </div>
        {missing !== null && (
          <div>
            <dt>missing (open by the profiler, gone on the server)</dt>
            <dd>{n(missing)}</dd>
          </div>
        )}
      </dl>
      <p role="status">{connectionsVerdict(c)}</p>
    </>
  )
}

export function Investigation(): React.JSX.Element {
  const api = useApi()
  const store = useStore()
  const { session, state } = useSnapshot()
  const { sessions } = useSessions(api)
  const view = useSessionView(api, session)
  const analysis = useAnalysis(api, session)
  const list = sessions.state === 'ready' ? sessions.value : []

  useEffect(() => {
    // Nothing chosen yet: look at the newest session.
    if (!session && list[0]) store.selectSession(list[0].dir)
  }, [session, list, store])

  const a = analysis.state === 'ready' ? analysis.value : null
  const thinned = view.state === 'ready' ? thinnedNote(view.value) : null
  const canTake = state?.attachment?.pid !== null && state?.attachment?.pid !== undefined
  const lat = view.state === 'ready' ? latencyRows(a, view.value.latency) : []
  const maxP99 = Math.max(1, ...lat.map((r) => r.p99Ms))
  // Memoized: a histogram chart is redrawn only when its session changes.
  const histograms = useMemo(
    () => (view.state === 'ready' ? latencyHistogramSpecs(view.value) : []),
    [view]
  )

  return (
    <section aria-labelledby="view-title" className="view">
      <h2 id="view-title" tabIndex={-1}>
        Investigation
      </h2>
      <div className="toolbar">
        <SessionPicker sessions={list} value={session} onChange={(d) => store.selectSession(d)} />
      </div>
      {sessions.state === 'loading' && <Loading>Reading sessions…</Loading>}
      {sessions.state === 'error' && (
        <ErrorMessage>Could not list sessions: {sessions.message}</ErrorMessage>
      )}
      {sessions.state === 'ready' && list.length === 0 && !session && (
        <Empty>
          <p>
            No session to investigate yet: run a scenario, or open one from Sessions. Snapshots of
            the attached process work without one.
          </p>
        </Empty>
      )}
      {analysis.state === 'loading' && <Loading>Analysing…</Loading>}
      {analysis.state === 'error' && (
        <ErrorMessage>Could not analyse this session: {analysis.message}</ErrorMessage>
      )}
      {view.state === 'loading' && analysis.state !== 'loading' && (
        <Loading>Opening the session…</Loading>
      )}
      {view.state === 'error' && (
        <ErrorMessage>Could not open this session: {view.message}</ErrorMessage>
      )}
      {a && <Findings a={a} />}

      {a && (
        <section className="panel" aria-labelledby="growth-title">
          <h3 id="growth-title">Growth and slope</h3>
          {view.state === 'ready' && view.value.samples.length > 0 && (
            <TimeSeriesChart
              spec={growthSpec(view.value, a)}
              version={1}
              summary={headline(a)}
              height={260}
            />
          )}
          {thinned && <p className="muted small">{thinned}</p>}
          <Growth a={a} />
        </section>
      )}

      <SnapshotsPanel dir={session} canTake={canTake} />

      {a && (
        <section className="panel" aria-labelledby="attr-title">
          <h3 id="attr-title">Attribution</h3>
          <Attribution a={a} />
        </section>
      )}
      {a && (
        <section className="panel" aria-labelledby="conn-title">
          <h3 id="conn-title">Connection reconciliation</h3>
          <Connections a={a} />
        </section>
      )}
      {view.state === 'ready' && (
        <section className="panel" aria-labelledby="lat-title">
          <h3 id="lat-title">Latency</h3>
          {lat.length === 0 ? (
            <Empty>No latency recorded in this session.</Empty>
          ) : (
            <table className="latency">
              <caption>Latency percentiles by operation</caption>
              <thead>
                <tr>
                  <th scope="col">Operation</th>
                  <th scope="col">Count</th>
                  <th scope="col">p50</th>
                  <th scope="col">p95</th>
                  <th scope="col">p99</th>
                  <th scope="col">max</th>
                  <th scope="col">Distribution (p50 · p95 · p99)</th>
                </tr>
              </thead>
              <tbody>
                {lat.map((r) => (
                  <tr key={r.operation}>
                    <td>{r.operation}</td>
                    <td className="num">{r.count.toLocaleString('en-US')} ops</td>
                    <td className="num">{formatMs(r.p50Ms)}</td>
                    <td className="num">{formatMs(r.p95Ms)}</td>
                    <td className="num">{formatMs(r.p99Ms)}</td>
                    <td className="num">{formatMs(r.maxMs)}</td>
                    <td aria-hidden="true">
                      <div className="bars">
                        <span
                          className="bar p50"
                          style={{ width: `${(r.p50Ms / maxP99) * 100}%` }}
                        />
                        <span
                          className="bar p95"
                          style={{ width: `${(r.p95Ms / maxP99) * 100}%` }}
                        />
                        <span
                          className="bar p99"
                          style={{ width: `${(r.p99Ms / maxP99) * 100}%` }}
                        />
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {histograms.length > 0 && (
            <div className="charts" role="group" aria-label="Latency histograms">
              {histograms.map((h) => (
                <HistogramChart key={h.id} spec={h} />
              ))}
            </div>
          )}
          {lat.length > 0 && histograms.length === 0 && (
            <p className="muted small">
              No latency histogram in this session (it records percentiles only).
            </p>
          )}
        </section>
      )}
    </section>
  )
}
