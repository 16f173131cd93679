/** Two sessions side by side: overlaid memory, criteria with differences. */
import type { SessionSummary } from '../../../../shared/api'
import { useApi } from '../../api'
import { TimeSeriesChart } from '../../charts/TimeSeriesChart'
import { sessionLabel } from '../../components/SessionPicker'
import { ErrorMessage, Loading, PassBadge } from '../../components/states'
import { formatMeasured } from '../../format'
import { useSessionView } from '../../state/sessions.hooks'
import { criteriaDiff, overlaySpec, type Significance } from './Sessions.utils'

export function Compare({
  a,
  b,
  significance
}: {
  a: SessionSummary
  b: SessionSummary
  significance?: Significance
}): React.JSX.Element {
  const api = useApi()
  const va = useSessionView(api, a.dir)
  const vb = useSessionView(api, b.dir)
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
      <TimeSeriesChart
        spec={spec}
        version={1}
        summary={`${va.value.samples.length} samples in A, ${vb.value.samples.length} in B`}
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
    </div>
  )
}
