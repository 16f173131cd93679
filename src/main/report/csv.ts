/**
 * The CSV report: one row per sample, columns named with their unit (`rss_bytes`,
 * `cpu_percent`) so a spreadsheet or pandas user needs no legend. The server's own figures
 * are flattened into `server_*` columns; an empty cell means "not measured in this sample".
 */
import type { Sample } from '../../shared/sample'
import type { SessionData } from '../../shared/session'

type Getter = (s: Sample) => unknown

/** Fixed columns, in the order DESIGN.md's Sample table lists the fields. */
const COLUMNS: [string, Getter][] = [
  ['t_ms', (s) => s.t],
  ['time_utc', (s) => new Date(s.t).toISOString()],
  ['pid', (s) => s.pid],
  ['rss_bytes', (s) => s.rssBytes],
  ['pss_bytes', (s) => s.pssBytes],
  ['uss_bytes', (s) => s.ussBytes],
  ['heap_bytes', (s) => s.heapBytes],
  ['file_mapped_bytes', (s) => s.fileMappedBytes],
  ['stack_bytes', (s) => s.stackBytes],
  ['swap_bytes', (s) => s.swapBytes],
  ['cpu_percent', (s) => s.cpuPercent],
  ['cpu_user_percent', (s) => s.cpuUserPercent],
  ['cpu_system_percent', (s) => s.cpuSystemPercent],
  ['threads_count', (s) => s.threads],
  ['fds_count', (s) => s.fds],
  ['tcp_connections_count', (s) => s.tcpConnections],
  ['port_connections_count', (s) => s.portConnections],
  ['ws_connections_count', (s) => s.wsConnections]
]

/** Units of the known server fields, by their camelCase suffix. */
function serverColumn(key: string): string {
  const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
  if (key === 'polledAt') return 'server_polled_at_ms'
  if (/_bytes$|_percent$|_ms$/.test(snake)) return `server_${snake}`
  return `server_${snake}_count`
}

export function renderCsv(session: SessionData, startT = session.meta.startedAt): string {
  const serverKeys = new Set<string>()
  for (const s of session.samples)
    if (s.server) for (const k of Object.keys(s.server)) serverKeys.add(k)
  // polledAt first, then the rest in a stable order.
  const keys = [...serverKeys].sort((a, b) =>
    a === 'polledAt' ? -1 : b === 'polledAt' ? 1 : a.localeCompare(b)
  )
  const phases = session.events
    .filter((e) => e.type === 'phase')
    .map((e) => ({ t: e.t, name: String((e as { phase: unknown }).phase) }))
    .sort((a, b) => a.t - b.t)
  const header = [
    ...COLUMNS.map(([n]) => n).slice(0, 2),
    'elapsed_s',
    'phase',
    ...COLUMNS.map(([n]) => n).slice(2),
    ...keys.map(serverColumn)
  ]
  const rows: string[] = [header.join(',')]
  let p = -1
  for (const s of session.samples) {
    while (p + 1 < phases.length && phases[p + 1]!.t <= s.t) p++
    const cells = [
      ...COLUMNS.slice(0, 2).map(([, g]) => g(s)),
      ((s.t - startT) / 1000).toFixed(3),
      p >= 0 ? phases[p]!.name : '',
      ...COLUMNS.slice(2).map(([, g]) => g(s)),
      ...keys.map((k) => (s.server as Record<string, unknown> | undefined)?.[k])
    ]
    rows.push(cells.map(csvCell).join(','))
  }
  return rows.join('\n') + '\n'
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return ''
  const text =
    typeof v === 'number'
      ? Number.isFinite(v)
        ? String(v)
        : ''
      : typeof v === 'string'
        ? v
        : JSON.stringify(v)
  // A leading =, +, - or @ would run as a formula in a spreadsheet; numbers are safe as they are.
  const safe = typeof v !== 'number' && /^[=+\-@]/.test(text) ? `'${text}` : text
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}
