/** One seed test: what it checks, its criteria and defaults, editable parameters, Run. */
import { useId, useState } from 'react'
import type { ScenarioInfo } from '../../../../shared/run'
import { defaultsSummary, initialValues, labelUnit, toOverrides } from './Scenarios.utils'

export interface ScenarioCardProps {
  scenario: ScenarioInfo
  disabled: boolean
  disabledReason: string | null
  onRun(request: { quick: boolean; overrides: Record<string, number | boolean> }): void
}

export function ScenarioCard({
  scenario: s,
  disabled,
  disabledReason,
  onRun
}: ScenarioCardProps): React.JSX.Element {
  const id = useId()
  const [quick, setQuick] = useState(true)
  const [values, setValues] = useState(() => initialValues(s.parameters, true))
  const [error, setError] = useState<string | null>(null)

  const toggleQuick = (q: boolean): void => {
    setQuick(q)
    setValues(initialValues(s.parameters, q))
  }
  const run = (): void => {
    const r = toOverrides(s.parameters, values, quick)
    if ('error' in r) return setError(r.error)
    setError(null)
    onRun({ quick, overrides: r.overrides })
  }

  return (
    <article className="card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>
        <span className="seed">{s.seed}</span> {s.title}
      </h3>
      <p>{s.checks}</p>
      <h4>Pass criteria</h4>
      <ul>
        {s.criteria.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ul>
      <p className="muted small">{defaultsSummary(s.parameters)}</p>
      <details>
        <summary>Parameters of {s.seed}</summary>
        <fieldset className="params">
          <legend className="visually-hidden">Parameters of {s.seed}</legend>
          {s.parameters.map((p) => (
            <label key={p.name} className="param">
              <span>
                {p.label}
                {labelUnit(p) && <span className="muted"> ({labelUnit(p)})</span>}
              </span>
              {p.kind === 'boolean' ? (
                <input
                  type="checkbox"
                  checked={values[p.name] === 'true'}
                  onChange={(e) => setValues((v) => ({ ...v, [p.name]: String(e.target.checked) }))}
                />
              ) : (
                <input
                  type="number"
                  step="any"
                  value={values[p.name] ?? ''}
                  onChange={(e) => setValues((v) => ({ ...v, [p.name]: e.target.value }))}
                />
              )}
            </label>
          ))}
        </fieldset>
      </details>
      {error && (
        <p role="alert" className="state error">
          {error}
        </p>
      )}
      <div className="row">
        <label className="inline">
          <input
            type="checkbox"
            checked={quick}
            onChange={(e) => toggleQuick(e.target.checked)}
            aria-label={`Quick mode for ${s.seed}`}
          />{' '}
          Quick mode (under a minute)
        </label>
        <button
          type="button"
          className="primary"
          onClick={run}
          disabled={disabled}
          title={disabledReason ?? undefined}
        >
          Run {s.seed}
        </button>
      </div>
    </article>
  )
}
