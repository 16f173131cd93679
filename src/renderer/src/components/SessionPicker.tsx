/** A labelled select of recorded sessions (Investigation, Export). */
import type { SessionSummary } from '../../../shared/api'
import { formatDateTime } from '../format'

export function sessionLabel(s: SessionSummary): string {
  return `${s.scenario} · ${formatDateTime(s.startedAt)} · ${s.status}`
}

export function SessionPicker({
  sessions,
  value,
  onChange,
  label = 'Session'
}: {
  sessions: readonly SessionSummary[]
  value: string | null
  onChange(dir: string | null): void
  label?: string
}): React.JSX.Element {
  return (
    <label className="inline">
      {label}{' '}
      <select value={value ?? ''} onChange={(e) => onChange(e.target.value || null)}>
        <option value="">— choose a session —</option>
        {sessions.map((s) => (
          <option key={s.dir} value={s.dir}>
            {sessionLabel(s)}
          </option>
        ))}
      </select>
    </label>
  )
}
