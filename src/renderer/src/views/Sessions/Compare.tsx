/** Two sessions side by side: overlaid memory, criteria with differences. */
import type { SessionSummary } from '../../../../shared/api'
import { TimeSeriesChart } from '../../charts/TimeSeriesChart'
import { sessionLabel } from '../../components/SessionPicker'
import { ErrorMessage, Loading, PassBadge } from '../../components/states'
import { formatInUnit, formatMeasured } from '../../format'
import { useSessionView } from '../../state/sessions.hooks'
import { useEffect, useState } from 'react'
import type { CompareResult } from '../../../../shared/compare'
import { errorText, useApi } from '../../api'
import { callText, compareRows, criteriaDiff, overlaySpec, significanceOf } from './Sessions.utils'

/** The engine's comparison with significance calls; null while loading, a string on error. */
function useComparison(a: string, b: string): CompareResult | string | null {
  const api = useApi()
  const [result, setResult] = useState<CompareResult | string | null>(null)
  useEffect(() => {
    let live = true
    setResult(null)
    api
      .call('sessions:compare', { a, b })
      .then((r) => live && setResult(r))
      .catch((e: unknown) => live && setResult(errorText(e)))
    return () => {
      live = false
    }
  }, [api, a, b])
  return result
}

export function Compare({ a, b }: { a: SessionSummary; b: SessionSummary }): React.JSX.Element {
  const api = useApi()
  const va = useSessionView(api, a.dir)
  const vb = useSessionView(api, b.dir)
  const comparison = useComparison(a.dir, b.dir)
  const significance =
    comparison && typeof comparison === 'object' ? significanceOf(comparison) : undefined
  if (va.state === 'error' || vb.state === 'error')
    return (
      <ErrorMessage>
        Could not open both sessions:{' '}
        {va.state === 'error' ? va.message : vb.state === 'error' ? vb.message : ''}
      </ErrorMessage>
    )
  if (va.state !== 'ready' || vb.state !== 'ready') return <Loading>Opening both sessions…</Loading>
  const rows = criteriaDiff(va.value.verdicts, vb.value.verdicts)
  const spec = overlaySpec(va.value, vb.value)
  return (
    <div className="panel" aria-label="Comparison">
      <h3>Comparison</h3>
      <p>
        <strong>A</strong>: {sessionLabel(a)}
        <br />
        <strong>B</strong>: {sessionLabel(b)}
      </p>
      {comparison === null && <Loading>Comparing with significance tests…</Loading>}
      {typeof comparison === 'string' && (
        <p className="muted">No significance calls: {comparison}</p>
      )}
      {comparison && typeof comparison === 'object' && (
        <>
          <p role="status" className="headline">
            <span
              className={`badge ${comparison.verdict === 'regression' ? 'fail' : comparison.verdict === 'improvement' ? 'pass' : 'pending'}`}
            >
              {comparison.verdict.replace(/-/g, ' ')}
            </span>{' '}
            {comparison.summary}
          </p>
          {comparison.notes.length > 0 && (
            <ul className="muted small">
              {comparison.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          )}
        </>
      )}
      <TimeSeriesChart
        spec={spec}
        version={1}
        summary={`${va.value.sampleCount.toLocaleString('en-US')} samples in A, ${vb.value.sampleCount.toLocaleString('en-US')} in B`}
      />
      {rows.length === 0 ? (
        <p className="muted">Neither session has judged criteria.</p>
      ) : (
        <table>
          <caption>Criteria, A against B</caption>
          <thead>
            <tr>
              <th scope="col">Criterion</th>
              <th scope="col">Threshold</th>
              <th scope="col">A</th>
              <th scope="col">B</th>
              <th scope="col">Difference (B − A)</th>
              {significance && <th scope="col">Significance</th>}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.name} className={r.changed ? 'changed' : ''}>
                <td>
                  {r.name}
                  {r.changed && <span className="badge warn">verdict differs</span>}
                </td>
                <td>{r.threshold}</td>
                <td>
                  {r.a ? formatMeasured(r.a.measured, r.unit) : '—'}{' '}
                  {r.a && <PassBadge pass={r.a.pass} />}
                </td>
                <td>
                  {r.b ? formatMeasured(r.b.measured, r.unit) : '—'}{' '}
                  {r.b && <PassBadge pass={r.b.pass} />}
                </td>
                <td className="num">
                  {r.delta === null
                    ? '—'
                    : `${r.delta >= 0 ? '+' : ''}${formatMeasured(r.delta, r.unit)}`}
                </td>
                {significance && <td>{significance[r.name] ?? '—'}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {comparison && typeof comparison === 'object' && compareRows(comparison).length > 0 && (
        <table>
          <caption>Metrics, A against B, with a significance call</caption>
          <thead>
            <tr>
              <th scope="col">Metric</th>
              <th scope="col">A</th>
              <th scope="col">B</th>
              <th scope="col">Change</th>
              <th scope="col">Call</th>
            </tr>
          </thead>
          <tbody>
            {compareRows(comparison).map((m) => (
              <tr key={m.id} className={m.significant ? 'changed' : ''}>
                <td>
                  {m.name}
                  <div className="muted small">{m.reason}</div>
                </td>
                <td className="num">{formatInUnit(m.unit, m.a)}</td>
                <td className="num">{formatInUnit(m.unit, m.b)}</td>
                <td className="num">
                  {m.change === null
                    ? '—'
                    : `${m.change >= 0 ? '+' : ''}${(m.change * 100).toFixed(1)}%`}
                </td>
                <td>{callText(m)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}
