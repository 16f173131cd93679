import type { Target } from '../../../shared/api'
import { formatBytes } from '../../../shared/units'
import { discover, type Discovery } from '../../target/discovery'
import { defineCommand } from '../command'

interface TargetsOptions {
  all?: boolean
  json?: boolean
}

/** Longest command line shown in the table; --json has it whole. */
const COMMAND_WIDTH = 60

export default defineCommand<TargetsOptions>({
  name: 'targets',
  summary: 'list local KalamDB server processes: pid, command, listening ports, base URL',
  details: [
    'A process is a KalamDB server when it is named kalamdb-server or when one of its',
    'listening ports answers GET /health like KalamDB; that port is its HTTP port.',
    'Examples:',
    '  kalam-profiler targets',
    '  kalam-profiler targets --all --json'
  ].join('\n'),
  options: [
    { flags: '--all', description: 'list every process with a listening TCP port' },
    { flags: '--json', description: 'print a JSON array of targets' }
  ],
  async run(_args, opts, ctx) {
    const found = await discover({ all: opts.all ?? false })
    if (opts.json) {
      ctx.stdout.write(`${JSON.stringify(found.targets, null, 2)}\n`)
      const note = uninspectedNote(found)
      if (note) ctx.stderr.write(`${note}\n`)
      return 0
    }
    ctx.stdout.write(formatTargets(found, opts.all ?? false))
    return 0
  }
})

/** The human table (exported for tests): aligned columns, sizes with units. */
export function formatTargets(found: Discovery, all: boolean): string {
  const lines: string[] = []
  if (found.targets.length === 0) {
    lines.push(
      all
        ? 'No process listens on TCP (that this user can inspect).'
        : 'No KalamDB server found. `targets --all` lists every process listening on TCP.'
    )
  } else {
    const header = ['PID', 'NAME', ...(all ? ['KALAMDB'] : []), 'HTTP', 'VERSION', 'RSS']
    const rows = found.targets.map((t) => [
      String(t.pid),
      t.name,
      ...(all ? [t.isKalamDb ? 'yes' : 'no'] : []),
      t.httpPort === null ? '-' : String(t.httpPort),
      t.version ?? '-',
      t.rssBytes === null ? '-' : formatBytes(t.rssBytes),
      portsText(t),
      t.baseUrl ?? (t.name === 'kalamdb-server' ? '(no /health answer)' : '-'),
      truncate(t.command, COMMAND_WIDTH)
    ])
    lines.push(...table([...header, 'PORTS', 'URL', 'COMMAND'], rows, rightAligned(all)))
  }
  const note = uninspectedNote(found)
  if (note) lines.push('', note)
  return `${lines.join('\n')}\n`
}

function portsText(t: Target): string {
  return t.listeningPorts.length === 0 ? '-' : t.listeningPorts.join(',')
}

function rightAligned(all: boolean): Set<number> {
  // PID, HTTP and RSS read better aligned on their units.
  return new Set(all ? [0, 3, 5] : [0, 2, 4])
}

function uninspectedNote(found: Discovery): string | null {
  if (found.uninspectable === 0) return null
  const n = found.uninspectable
  const named =
    found.uninspectableKalamDb.length === 0
      ? ''
      : `, including kalamdb-server (pid ${found.uninspectableKalamDb.join(', ')})`
  // Root is refused only by protected processes and other containers: running as root again
  // would not help then.
  const fix =
    process.getuid?.() === 0
      ? 'the kernel refused access: other containers or protected processes'
      : 'run as root to see them'
  return `${n} ${n === 1 ? 'process' : 'processes'} could not be inspected${named} (${fix})`
}

function truncate(s: string, width: number): string {
  return s.length <= width ? s : `${s.slice(0, width - 1)}…`
}

/** Columns padded to their widest cell; the last column is never padded. */
function table(header: string[], rows: string[][], right: Set<number>): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]): string =>
    cells
      .map((c, i) =>
        i === cells.length - 1 ? c : right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)
      )
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)]
}
