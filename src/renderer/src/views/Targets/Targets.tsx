/**
 * Targets: the KalamDB processes on this machine, attaching to one (by pick, PID or URL,
 * with credentials), and the built-in simulator for a first look without a server.
 */
import { useId, useState } from 'react'
import type { Target } from '../../../../shared/api'
import { errorText, useApi } from '../../api'
import { Empty, ErrorMessage, Loading } from '../../components/states'
import { formatBytes, formatDateTime } from '../../format'
import { useSnapshot } from '../../state/StoreContext'
import { useTargets } from './Targets.hooks'
import { attachRequest, EMPTY_FORM, type AttachForm } from './Targets.utils'

type Busy = null | 'attach' | 'sim' | 'detach' | 'sim-stop'

export function Targets(): React.JSX.Element {
  const api = useApi()
  const { state, info } = useSnapshot()
  const [all, setAll] = useState(false)
  const { targets, refresh } = useTargets(api, all)
  const [form, setForm] = useState<AttachForm>(EMPTY_FORM)
  const [busy, setBusy] = useState<Busy>(null)
  const [error, setError] = useState<string | null>(null)
  const ids = useId()
  const attachment = state?.attachment ?? null
  const simulator = state?.simulator ?? null
  const running = state?.run !== null && state?.run !== undefined

  const act = async (what: Busy, f: () => Promise<unknown>): Promise<void> => {
    setBusy(what)
    setError(null)
    try {
      await f()
    } catch (e) {
      setError(errorText(e))
    } finally {
      setBusy(null)
    }
  }

  const submit = (e: React.FormEvent): void => {
    e.preventDefault()
    const r = attachRequest(form)
    if ('error' in r) return setError(r.error)
    void act('attach', async () => {
      await api.call('target:attach', r.request)
      setForm((f) => ({ ...f, password: '', token: '' }))
    })
  }

  const pick = (t: Target): void => {
    setForm((f) => ({ ...f, pid: String(t.pid), url: t.baseUrl ?? '' }))
    document.getElementById(`${ids}-user`)?.focus()
  }

  const startSim = (): Promise<void> => act('sim', () => api.call('sim:start', {}))
  const noneFound = targets.state === 'ready' && targets.value.length === 0
  const set = <K extends keyof AttachForm>(k: K, v: AttachForm[K]): void =>
    setForm((f) => ({ ...f, [k]: v }))

  return (
    <section aria-labelledby="view-title" className="view">
      <h2 id="view-title" tabIndex={-1}>
        Targets
      </h2>
      {error && <ErrorMessage>{error}</ErrorMessage>}

      {attachment ? (
        <div className="panel attached" aria-label="Attached target">
          <p>
            <strong>Attached</strong> to{' '}
            {attachment.simulator ? 'the built-in simulator' : 'a KalamDB server'}
            {attachment.pid !== null && <> · pid {attachment.pid}</>}
            {attachment.url && <> · {attachment.url}</>}
            {attachment.version && <> · version {attachment.version}</>}
            {attachment.user && <> · signed in as {attachment.user}</>}
            {attachment.auth === 'token' && <> · token</>} · since{' '}
            {formatDateTime(attachment.attachedAt)}
          </p>
          {attachment.note && <p className="muted">{attachment.note}</p>}
          <div className="row">
            <button
              type="button"
              onClick={() => void act('detach', () => api.call('target:detach', {}))}
              disabled={busy !== null || running}
            >
              Detach
            </button>
            {attachment.credentialsSaved && attachment.url && (
              <button
                type="button"
                onClick={() =>
                  void act('attach', () =>
                    api.call('target:forget-credentials', { url: attachment.url! })
                  )
                }
              >
                Forget saved credentials
              </button>
            )}
          </div>
        </div>
      ) : (
        <p className="muted">
          Not attached. Pick a server below, type a PID or URL, or start the simulator.
        </p>
      )}

      {simulator && (
        <div className="panel">
          <p>
            Built-in simulator running at {simulator.url} (pid {simulator.pid}).
          </p>
          <button
            type="button"
            onClick={() => void act('sim-stop', () => api.call('sim:stop', {}))}
            disabled={busy !== null || running}
          >
            Stop simulator
          </button>
        </div>
      )}

      <div className="section-head">
        <h3>KalamDB processes on this machine</h3>
        <button type="button" onClick={refresh}>
          Refresh process list
        </button>
        <label className="inline">
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} /> Show
          every listening process
        </label>
      </div>
      {targets.state === 'loading' && <Loading>Looking for KalamDB servers…</Loading>}
      {targets.state === 'error' && (
        <ErrorMessage>Could not list processes: {targets.message}</ErrorMessage>
      )}
      {noneFound && (
        <Empty>
          <p>No KalamDB server found on this machine.</p>
          <p className="muted">
            The built-in simulator behaves like KalamDB (with switchable leaks and faults): start it
            to see data in a minute.
          </p>
        </Empty>
      )}
      {(noneFound || !simulator) && (
        <p>
          <button
            type="button"
            className={noneFound ? 'primary' : ''}
            onClick={() => void startSim()}
            disabled={busy !== null || running || simulator !== null}
          >
            {busy === 'sim' ? 'Starting simulator…' : 'Start built-in simulator'}
          </button>
        </p>
      )}
      {targets.state === 'ready' && targets.value.length > 0 && (
        <table>
          <caption className="visually-hidden">Processes found</caption>
          <thead>
            <tr>
              <th scope="col">PID</th>
              <th scope="col">Process</th>
              <th scope="col">Ports</th>
              <th scope="col">URL</th>
              <th scope="col">Version</th>
              <th scope="col">RSS now</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {targets.value.map((t) => (
              <tr key={t.pid}>
                <td>{t.pid}</td>
                <td title={t.command}>
                  {t.name}
                  {t.isKalamDb ? '' : ' (not KalamDB)'}
                </td>
                <td>{t.listeningPorts.join(', ') || '—'}</td>
                <td>{t.baseUrl ?? '—'}</td>
                <td>{t.version ?? '—'}</td>
                <td className="num">{t.rssBytes === null ? '—' : formatBytes(t.rssBytes)}</td>
                <td>
                  <button type="button" onClick={() => pick(t)}>
                    Use pid {t.pid}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h3>Attach by PID or URL</h3>
      <form className="form-grid" onSubmit={submit} aria-label="Attach">
        <label htmlFor={`${ids}-pid`}>PID</label>
        <input
          id={`${ids}-pid`}
          inputMode="numeric"
          value={form.pid}
          onChange={(e) => set('pid', e.target.value)}
          placeholder="e.g. 4242"
        />
        <label htmlFor={`${ids}-url`}>Server URL</label>
        <input
          id={`${ids}-url`}
          type="url"
          value={form.url}
          onChange={(e) => set('url', e.target.value)}
          placeholder="http://127.0.0.1:8080"
        />
        <fieldset className="span">
          <legend>Sign in with</legend>
          {(['password', 'token', 'none'] as const).map((a) => (
            <label key={a} className="inline">
              <input
                type="radio"
                name={`${ids}-auth`}
                checked={form.auth === a}
                onChange={() => set('auth', a)}
              />{' '}
              {a === 'password'
                ? 'user and password'
                : a === 'token'
                  ? 'token'
                  : 'nothing (process only)'}
            </label>
          ))}
        </fieldset>
        {form.auth === 'password' && (
          <>
            <label htmlFor={`${ids}-user`}>User</label>
            <input
              id={`${ids}-user`}
              autoComplete="username"
              value={form.user}
              onChange={(e) => set('user', e.target.value)}
            />
            <label htmlFor={`${ids}-password`}>Password</label>
            <input
              id={`${ids}-password`}
              type="password"
              autoComplete="current-password"
              value={form.password}
              onChange={(e) => set('password', e.target.value)}
            />
          </>
        )}
        {form.auth === 'token' && (
          <>
            <label htmlFor={`${ids}-token`}>Token</label>
            <input
              id={`${ids}-token`}
              type="password"
              autoComplete="off"
              value={form.token}
              onChange={(e) => set('token', e.target.value)}
            />
          </>
        )}
        <div className="span">
          {info?.capabilities.saveCredentials && (
            <label className="inline">
              <input
                type="checkbox"
                checked={form.remember}
                onChange={(e) => set('remember', e.target.checked)}
              />{' '}
              Remember credentials on this machine (encrypted)
            </label>
          )}
          <label className="inline">
            <input
              type="checkbox"
              checked={form.setup}
              onChange={(e) => set('setup', e.target.checked)}
            />{' '}
            Run the server&apos;s first-time setup with these credentials if it needs it
          </label>
        </div>
        <p className="muted span">
          Credentials stay in the profiler&apos;s engine; they are never shown again, written to a
          session or put in a report.
        </p>
        <div className="span">
          <button type="submit" className="primary" disabled={busy !== null || running}>
            {busy === 'attach' ? 'Attaching…' : 'Attach'}
          </button>
        </div>
      </form>
    </section>
  )
}
