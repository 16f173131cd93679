/**
 * Saved bench results (`kalam-profiler bench --save`) from the bench history folder(s),
 * compared two at a time — the same comparison as `kalam-profiler compare A B --json`.
 */
import { useCallback, useEffect, useState } from 'react'
import type { BenchList, BenchSummary } from '../../../../shared/api'
import { errorText, useApi } from '../../api'
import type { Load } from '../../components/states'
import { Empty, ErrorMessage, Loading } from '../../components/states'
import { formatDateTime, formatDuration } from '../../format'
import { BenchCompare } from './BenchCompare'
import { benchVersion } from './Bench.utils'

function useBenchList(): { list: Load<BenchList>; refresh: () => void } {
  const api = useApi()
  const [list, setList] = useState<Load<BenchList>>({ state: 'loading' })
  const [tick, setTick] = useState(0)
  useEffect(() => {
    let live = true
    api
      .call('bench:list', {})
      .then((value) => live && setList({ state: 'ready', value }))
      .catch((e: unknown) => live && setList({ state: 'error', message: errorText(e) }))
    return () => {
      live = false
    }
  }, [api, tick])
  return { list, refresh: useCallback(() => setTick((t) => t + 1), []) }
}

export function BenchResults(): React.JSX.Element {
  const { list, refresh } = useBenchList()
  const [picked, setPicked] = useState<string[]>([])
  const [comparing, setComparing] = useState<[BenchSummary, BenchSummary] | null>(null)
  const results = list.state === 'ready' ? list.value.results : []
  const toggle = (path: string, on: boolean): void =>
    setPicked((p) =>
      on ? [...p.filter((d) => d !== path), path].slice(-2) : p.filter((d) => d !== path)
    )
  const pickedResults = picked
    .map((p) => results.find((r) => r.path === p))
    .filter((r): r is BenchSummary => !!r)
  const dirs = list.state === 'ready' ? list.value.dirs : []

  return (
    <>
      <div className="toolbar">
        <button type="button" onClick={refresh}>
          Refresh bench results
        </button>
        <button
          type="button"
          disabled={pickedResults.length !== 2}
          onClick={() => setComparing([pickedResults[0]!, pickedResults[1]!])}
          title="Tick two bench results to compare them: the first ticked is A, the reference"
        >
          Compare selected bench results ({pickedResults.length} of 2)
        </button>
        {dirs.length > 0 && <span className="muted small">Folders: {dirs.join(', ')}</span>}
      </div>
      {list.state === 'loading' && <Loading>Reading bench results…</Loading>}
      {list.state === 'error' && (
        <ErrorMessage>Could not list bench results: {list.message}</ErrorMessage>
      )}
      {list.state === 'ready' && results.length === 0 && (
        <Empty>
          <p>
            No saved bench results in {dirs.join(' or ') || 'the bench history folder'}. Save one
            with <code>kalam-profiler bench --url URL --save</code> and it appears here.
          </p>
        </Empty>
      )}
      {list.state === 'ready' && list.value.unreadable.length > 0 && (
        <details className="muted small">
          <summary>
            {list.value.unreadable.length} file{list.value.unreadable.length === 1 ? '' : 's'} in
            the folder {list.value.unreadable.length === 1 ? 'is' : 'are'} not a readable bench
            result
          </summary>
          <ul>
            {list.value.unreadable.map((u) => (
              <li key={u.path}>{u.reason}</li>
            ))}
          </ul>
        </details>
      )}
      {results.length > 0 && (
        <table>
          <caption>Saved bench results, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Compare</th>
              <th scope="col">Server version</th>
              <th scope="col">Date</th>
              <th scope="col">Run</th>
              <th scope="col">Benchmarks</th>
              <th scope="col">Targets</th>
              <th scope="col">File</th>
            </tr>
          </thead>
          <tbody>
            {results.map((r) => {
              const order = picked.indexOf(r.path)
              return (
                <tr key={r.path}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select ${r.label} for comparison`}
                      checked={order >= 0}
                      onChange={(e) => toggle(r.path, e.target.checked)}
                    />
                    {order >= 0 && <span className="muted small"> {order === 0 ? 'A' : 'B'}</span>}
                  </td>
                  <td>{benchVersion(r)}</td>
                  <td>
                    {formatDateTime(r.startedAt)}
                    {r.endedAt !== null && (
                      <span className="muted small">
                        {' '}
                        · {formatDuration(r.endedAt - r.startedAt)}
                      </span>
                    )}
                  </td>
                  <td>{r.quick ? 'quick' : 'full'}</td>
                  <td className="num">
                    {r.benchmarks}
                    {r.failed > 0 && <span className="badge fail">{r.failed} failed</span>}
                  </td>
                  <td>
                    {r.targetsPassed} met, {r.targetsFailed} missed
                  </td>
                  <td className="small" title={r.path}>
                    {r.label}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      )}
      {comparing && (
        <BenchCompare
          a={comparing[0]}
          b={comparing[1]}
          onSwap={() => {
            setComparing([comparing[1], comparing[0]])
            setPicked((p) => [...p].reverse())
          }}
        />
      )}
    </>
  )
}
