/** Two saved bench results side by side: the verdict in words and every metric's call. */
import { useEffect, useState } from 'react'
import type { BenchSummary } from '../../../../shared/api'
import type { CompareResult } from '../../../../shared/compare'
import { errorText, useApi } from '../../api'
import type { Load } from '../../components/states'
import { ErrorMessage, Loading } from '../../components/states'
import { formatDateTime, formatInUnit } from '../../format'
import {
  benchRows,
  benchVersion,
  changeText,
  directionText,
  significanceText,
  VERDICT_WORDS,
  verdictClass
} from './Bench.utils'

function useBenchComparison(a: string, b: string): Load<CompareResult> {
  const api = useApi()
  const [result, setResult] = useState<Load<CompareResult>>({ state: 'loading' })
  useEffect(() => {
    let live = true
    setResult({ state: 'loading' })
    api
      .call('bench:compare', { a, b })
      .then((value) => live && setResult({ state: 'ready', value }))
      .catch((e: unknown) => live && setResult({ state: 'error', message: errorText(e) }))
    return () => {
      live = false
    }
  }, [api, a, b])
  return result
}

function Side({ name, r }: { name: string; r: BenchSummary }): React.JSX.Element {
  return (
    <>
      <strong>{name}</strong>: {benchVersion(r)}, {formatDateTime(r.startedAt)},{' '}
      {r.quick ? 'quick' : 'full'} run <span className="muted small">({r.label})</span>
    </>
  )
}

export function BenchCompare({
  a,
  b,
  onSwap
}: {
  a: BenchSummary
  b: BenchSummary
  onSwap: () => void
}): React.JSX.Element {
  const comparison = useBenchComparison(a.path, b.path)
  return (
    <div className="panel" role="region" aria-label="Bench comparison">
      <h3>Bench comparison</h3>
      <p>
        <Side name="A (reference)" r={a} />
        <br />
        <Side name="B (candidate)" r={b} />
      </p>
      <div className="row">
        <button type="button" onClick={onSwap}>
          Swap A and B
        </button>
      </div>
      {comparison.state === 'loading' && <Loading>Comparing with significance tests…</Loading>}
      {comparison.state === 'error' && (
        <ErrorMessage>Could not compare these bench results: {comparison.message}</ErrorMessage>
      )}
      {comparison.state === 'ready' && <Result result={comparison.value} />}
    </div>
  )
}

function Result({ result }: { result: CompareResult }): React.JSX.Element {
  const rows = benchRows(result.metrics)
  return (
    <>
      <p role="status" className="headline">
        <span className={`badge ${verdictClass(result.verdict)}`}>
          {VERDICT_WORDS[result.verdict]}
        </span>{' '}
        {result.summary}
      </p>
      <table>
        <caption>Bench metrics, A against B, with a significance call</caption>
        <thead>
          <tr>
            <th scope="col">Metric</th>
            <th scope="col">A</th>
            <th scope="col">B</th>
            <th scope="col">Change (B − A)</th>
            <th scope="col">Significance</th>
            <th scope="col">Direction</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((m) => (
            <tr key={m.id} className={m.significant ? 'changed' : ''}>
              <th scope="row">
                {m.name}
                <div className="muted small">{m.reason}</div>
              </th>
              <td className="num">{formatInUnit(m.unit, m.a)}</td>
              <td className="num">{formatInUnit(m.unit, m.b)}</td>
              <td className="num">{changeText(m)}</td>
              <td>{significanceText(m)}</td>
              <td>{directionText(m)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        A difference is significant when its test says it is not chance (p &lt;{' '}
        {result.settings.alpha}) and its 95% interval clears the noise band (±
        {Math.round(result.settings.noise * 100)}% unless a note says otherwise). Context rows never
        move the verdict.
      </p>
      {result.notes.length > 0 && (
        <ul className="muted small" aria-label="Notes on this comparison">
          {result.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </>
  )
}
