/**
 * Scenarios: the nine seed tests as cards; the running one with its progress, time left
 * and criteria turning pass/fail as they are judged; the verdict when it ends.
 */
import { useState } from 'react'
import type { CriterionResult } from '../../../../shared/session'
import { errorText, useApi } from '../../api'
import { Empty, ErrorMessage, Loading, PassBadge, StatusBadge } from '../../components/states'
import { formatMeasured } from '../../format'
import { useSnapshot, useStore } from '../../state/StoreContext'
import { ScenarioCard } from './ScenarioCard'
import { useScenarios } from './Scenarios.hooks'
import { criteriaTally, progressInfo } from './Scenarios.utils'

export function CriteriaTable({
  criteria,
  caption
}: {
  criteria: readonly CriterionResult[]
  caption: string
}): React.JSX.Element {
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Criterion</th>
          <th scope="col">Threshold</th>
          <th scope="col">Measured</th>
          <th scope="col">Result</th>
        </tr>
      </thead>
      <tbody>
        {criteria.map((c) => (
          <tr key={c.name}>
            <td>
              {c.name}
              {c.reason && <div className="muted small">{c.reason}</div>}
            </td>
            <td>{c.threshold}</td>
            <td className="num">{formatMeasured(c.measured, c.unit)}</td>
            <td>
              <PassBadge pass={c.pass} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

export function Scenarios(): React.JSX.Element {
  const api = useApi()
  const store = useStore()
  const { state, progress, finished, crash } = useSnapshot()
  const list = useScenarios(api)
  const [error, setError] = useState<string | null>(null)
  const run = state?.run ?? null
  const attachment = state?.attachment ?? null
  const canRun = attachment !== null && attachment.url !== null && attachment.auth !== 'none'
  const reason = run
    ? 'A scenario is running'
    : !attachment
      ? 'Attach to a KalamDB server first (Targets)'
      : !canRun
        ? 'Scenarios need a server URL and credentials: attach again with a user and password'
        : null

  const start = (
    scenario: string,
    req: { quick: boolean; overrides: Record<string, number | boolean> }
  ): void => {
    setError(null)
    const match = list.state === 'ready' ? list.value.find((s) => s.id === scenario) : undefined
    if (!match) return
    api
      .call('scenario:start', { scenario: match.id, ...req })
      .catch((e: unknown) => setError(errorText(e)))
  }
  const stop = (): void => {
    api.call('scenario:stop', {}).catch((e: unknown) => setError(errorText(e)))
  }
  const p = run && progress && progress.scenario === run.scenario ? progressInfo(progress) : null
  const title = (id: string): string => {
    const s = list.state === 'ready' ? list.value.find((x) => x.id === id) : undefined
    return s ? `${s.seed} ${s.title}` : id
  }

  return (
    <section aria-labelledby="view-title" className="view">
      <h2 id="view-title" tabIndex={-1}>
        Scenarios
      </h2>
      {error && <ErrorMessage>{error}</ErrorMessage>}
      {crash && (
        <div role="alert" className="banner danger">
          The target process (pid {crash.pid}) exited: {crash.message}.
        </div>
      )}
      {reason && !run && <p className="muted">{reason}.</p>}

      {run && (
        <div className="panel run" aria-label="Running scenario">
          <h3>
            Running {title(run.scenario)}
            {run.quick ? ' (quick)' : ''}
          </h3>
          {p ? (
            <>
              <progress
                max={100}
                value={p.percent}
                aria-label="Run progress"
                aria-valuetext={`${p.percent}%, ${p.left}`}
              />
              <p role="status">
                Phase {p.phase} · {p.elapsed} of {p.total} · {p.left}
                {progress &&
                  ` · ${progress.achievedRatePerSec.toFixed(0)} inserts/s achieved, ${progress.errors} errors, ${progress.rateLimited} rate-limited`}
              </p>
              {progress && progress.criteria.length > 0 && (
                <CriteriaTable
                  criteria={progress.criteria}
                  caption={`Criteria so far: ${criteriaTally(progress.criteria)}`}
                />
              )}
            </>
          ) : (
            <Loading>{run.state === 'stopping' ? 'Stopping…' : 'Starting…'}</Loading>
          )}
          <button type="button" onClick={stop} disabled={run.state === 'stopping'}>
            Stop run
          </button>
        </div>
      )}

      {!run && finished && (
        <div className="panel verdict" aria-label="Last verdict">
          {finished.result ? (
            <>
              <h3>
                {title(finished.scenario)}: <StatusBadge status={finished.result.status} />
              </h3>
              <p role="status">
                Verdict: {finished.result.status} — {criteriaTally(finished.result.verdicts)}.
              </p>
              {finished.result.verdicts.length > 0 && (
                <CriteriaTable criteria={finished.result.verdicts} caption="Criteria" />
              )}
              <button
                type="button"
                onClick={() => {
                  store.selectSession(finished.result!.dir)
                  store.setView('investigation')
                }}
              >
                Open in Investigation
              </button>
            </>
          ) : (
            <ErrorMessage>
              {title(finished.scenario)} could not run: {finished.error?.message ?? 'unknown error'}
            </ErrorMessage>
          )}
        </div>
      )}

      {list.state === 'loading' && <Loading>Loading scenarios…</Loading>}
      {list.state === 'error' && (
        <ErrorMessage>Could not load the scenarios: {list.message}</ErrorMessage>
      )}
      {list.state === 'ready' && list.value.length === 0 && (
        <Empty>No scenarios in this build.</Empty>
      )}
      {list.state === 'ready' && (
        <div className="cards">
          {list.value.map((s) => (
            <ScenarioCard
              key={s.id}
              scenario={s}
              disabled={reason !== null}
              disabledReason={reason}
              onRun={(r) => start(s.id, r)}
            />
          ))}
        </div>
      )}
    </section>
  )
}
