/** Export: a session's report in any format, saved where the user chooses. */
import { useEffect, useState } from 'react'
import type { ExportFormat } from '../../../../shared/api'
import { errorText, useApi } from '../../api'
import { SessionPicker } from '../../components/SessionPicker'
import { Empty, ErrorMessage, Loading } from '../../components/states'
import { formatBytes } from '../../format'
import { useSnapshot, useStore } from '../../state/StoreContext'
import { useSessions } from '../../state/sessions.hooks'
import { FORMATS, startDownload } from './Export.utils'

export function Export(): React.JSX.Element {
  const api = useApi()
  const store = useStore()
  const { session, info } = useSnapshot()
  const { sessions } = useSessions(api)
  const [format, setFormat] = useState<ExportFormat>('md')
  const [busy, setBusy] = useState(false)
  const [done, setDone] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const list = sessions.state === 'ready' ? sessions.value : []

  useEffect(() => {
    if (!session && list[0]) store.selectSession(list[0].dir)
  }, [session, list, store])

  const run = async (): Promise<void> => {
    if (!session) return
    setBusy(true)
    setError(null)
    setDone(null)
    try {
      const r = await api.call('session:export', { dir: session, format })
      if (r.kind === 'saved') setDone(`Saved ${r.path} (${formatBytes(r.bytes)}).`)
      else if (r.kind === 'cancelled') setDone('Export cancelled.')
      else setDone(`Downloaded ${r.filename} (${formatBytes(startDownload(r, document))}).`)
    } catch (e) {
      setError(errorText(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <section aria-labelledby="view-title" className="view">
      <h2 id="view-title" tabIndex={-1}>
        Export
      </h2>
      {sessions.state === 'loading' && <Loading>Reading sessions…</Loading>}
      {sessions.state === 'error' && (
        <ErrorMessage>Could not list sessions: {sessions.message}</ErrorMessage>
      )}
      {sessions.state === 'ready' && list.length === 0 && (
        <Empty>
          <p>Nothing to export yet: run a scenario first.</p>
        </Empty>
      )}
      {/* No form without a list: an empty picker and a dead button explain nothing. */}
      {(sessions.state === 'loading' || list.length > 0) && (
        <form
          className="panel"
          aria-label="Export a report"
          onSubmit={(e) => {
            e.preventDefault()
            void run()
          }}
        >
          <SessionPicker sessions={list} value={session} onChange={(d) => store.selectSession(d)} />
          <fieldset>
            <legend>Format</legend>
            {FORMATS.map((f) => (
              <label key={f.format} className="choice">
                <input
                  type="radio"
                  name="format"
                  value={f.format}
                  checked={format === f.format}
                  onChange={() => setFormat(f.format)}
                />{' '}
                {f.label} <span className="muted">— {f.what}</span>
              </label>
            ))}
          </fieldset>
          <p className="muted small">
            {info?.capabilities.saveDialog
              ? 'You choose where the file goes.'
              : 'Your browser saves the file (usually in Downloads).'}{' '}
            Credentials never appear in a report.
          </p>
          <button type="submit" className="primary" disabled={!session || busy}>
            {busy ? 'Exporting…' : 'Export report'}
          </button>
          {done && <p role="status">{done}</p>}
          {error && <ErrorMessage>{error}</ErrorMessage>}
        </form>
      )}
    </section>
  )
}
