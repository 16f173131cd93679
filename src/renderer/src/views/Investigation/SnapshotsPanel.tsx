/** Snapshot diff: take one now, pick two (live or recorded), see which mappings grew. */
import { useCallback, useEffect, useState } from 'react'
import type { SnapshotSummary } from '../../../../shared/api'
import type { SnapshotDiff } from '../../../../shared/snapshot'
import { errorText, useApi } from '../../api'
import { Empty, ErrorMessage, Loading } from '../../components/states'
import { formatBytes, formatDateTime, formatPercent } from '../../format'

const ROWS = 25

function snapLabel(s: SnapshotSummary): string {
  return `${s.label ?? s.id} · ${formatDateTime(s.t)} · ${formatBytes(s.rssBytes)} RSS`
}

export function SnapshotsPanel({
  dir,
  canTake
}: {
  dir: string | null
  canTake: boolean
}): React.JSX.Element {
  const api = useApi()
  const [list, setList] = useState<SnapshotSummary[]>([])
  const [before, setBefore] = useState('')
  const [after, setAfter] = useState('')
  const [diff, setDiff] = useState<SnapshotDiff | null>(null)
  const [busy, setBusy] = useState<null | 'take' | 'diff'>(null)
  const [error, setError] = useState<string | null>(null)

  const load = useCallback(async (): Promise<SnapshotSummary[]> => {
    const l = await api.call('snapshots:list', dir ? { dir } : {})
    setList(l)
    return l
  }, [api, dir])
  useEffect(() => {
    load()
      .then((l) => {
        setBefore(l.length > 1 ? (l[0]?.id ?? '') : '')
        setAfter(l.at(-1)?.id ?? '')
      })
      .catch((e: unknown) => setError(errorText(e)))
  }, [load])

  const take = async (): Promise<void> => {
    setBusy('take')
    setError(null)
    try {
      const s = await api.call('snapshot:take', { label: `ui ${new Date().toLocaleTimeString()}` })
      await load()
      setBefore(after || s.id)
      setAfter(s.id)
    } catch (e) {
      setError(errorText(e))
    } finally {
      setBusy(null)
    }
  }
  const compare = async (): Promise<void> => {
    setBusy('diff')
    setError(null)
    try {
      setDiff(await api.call('snapshots:diff', { before, after }))
    } catch (e) {
      setError(errorText(e))
    } finally {
      setBusy(null)
    }
  }

  const select = (
    label: string,
    value: string,
    onChange: (v: string) => void
  ): React.JSX.Element => (
    <label className="inline">
      {label}{' '}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">—</option>
        {list.map((s) => (
          <option key={s.id} value={s.id}>
            {snapLabel(s)}
          </option>
        ))}
      </select>
    </label>
  )

  return (
    <section className="panel" aria-labelledby="snap-title">
      <h3 id="snap-title">Memory-map snapshots</h3>
      <div className="toolbar">
        <button
          type="button"
          onClick={() => void take()}
          disabled={!canTake || busy !== null}
          title={canTake ? undefined : 'Attach to a local process first'}
        >
          {busy === 'take' ? 'Taking snapshot…' : 'Take snapshot now'}
        </button>
        {select('Before snapshot', before, setBefore)}
        {select('After snapshot', after, setAfter)}
        <button
          type="button"
          onClick={() => void compare()}
          disabled={!before || !after || before === after || busy !== null}
        >
          Compare snapshots
        </button>
      </div>
      {error && <ErrorMessage>{error}</ErrorMessage>}
      {list.length < 2 && !diff && (
        <Empty>
          Two snapshots are needed: take one now and another later, or open a session that recorded
          some.
        </Empty>
      )}
      {busy === 'diff' && <Loading>Comparing…</Loading>}
      {diff && (
        <>
          <p>
            Between {formatDateTime(diff.beforeT)} and {formatDateTime(diff.afterT)}, resident
            memory changed by <strong>{formatBytes(diff.totalDeltaRssBytes)}</strong>.
          </p>
          <table>
            <caption>Largest changes by mapping (top {ROWS})</caption>
            <thead>
              <tr>
                <th scope="col">Mapping</th>
                <th scope="col">Kind</th>
                <th scope="col">Before (RSS)</th>
                <th scope="col">After (RSS)</th>
                <th scope="col">Change</th>
                <th scope="col">Change (%)</th>
              </tr>
            </thead>
            <tbody>
              {diff.rows.slice(0, ROWS).map((r) => (
                <tr key={`${r.kind}:${r.key}`}>
                  <td className="path" title={r.key}>
                    {r.key}
                  </td>
                  <td>
                    {r.kind}
                    {r.dataLabel ? ` (${r.dataLabel})` : ''}
                  </td>
                  <td className="num">{formatBytes(r.beforeRssBytes)}</td>
                  <td className="num">{formatBytes(r.afterRssBytes)}</td>
                  <td className="num">{formatBytes(r.deltaRssBytes)}</td>
                  <td className="num">
                    {r.deltaPercent === null ? r.status : formatPercent(r.deltaPercent)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  )
}
