import { readFile, stat, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { ProfilerError } from '../../../shared/errors'
import { MAPPING_KINDS, type MappingGroup, type MemorySnapshot } from '../../../shared/snapshot'
import { takeSnapshot } from '../../sampler/snapshot'
import { defineCommand } from '../command'
import { intInRange, isStdout, pid } from '../parse-options'

interface SnapshotOptions {
  pid?: number
  json?: boolean
  dataDir?: string
  top: number
  out?: string
  label?: string
}

export default defineCommand<SnapshotOptions>({
  name: 'snapshot',
  summary: 'one full memory-map snapshot of a process (per mapping, from /proc/PID/smaps)',
  details: [
    'Groups the mappings by file or region and classifies them: heap, anonymous, stack,',
    'data-file, library, shared-memory, special. Files under the server data directory are',
    'labelled rocksdb-sst, rocksdb-other, parquet or other. The data directory is guessed from',
    'the process (KALAMDB_DATA_DIR, its server.toml, or <cwd>/data) unless --data-dir is given.',
    'Examples:',
    '  kalam-profiler snapshot --pid 1234',
    '  kalam-profiler snapshot --pid 1234 --json --out before.json'
  ].join('\n'),
  options: [
    { flags: '--pid <pid>', description: 'process to snapshot (required)', parse: pid },
    { flags: '--json', description: 'print the snapshot as JSON' },
    {
      flags: '--data-dir <dir>',
      description: "the server's data directory (default: guessed from the process)"
    },
    {
      flags: '--top <k>',
      description: 'how many mapping groups to list',
      parse: intInRange(1, 100_000, 'count'),
      default: 15
    },
    {
      flags: '--out <file>',
      description: "also write the snapshot as JSON to this file ('-': print only the JSON)"
    },
    { flags: '--label <text>', description: 'a label stored in the snapshot' }
  ],
  async run(_args, opts, ctx) {
    if (opts.pid === undefined) {
      throw new ProfilerError(
        'BAD_INPUT',
        'missing --pid: e.g. kalam-profiler snapshot --pid 1234',
        {
          hint: 'find the pid with `kalam-profiler targets`'
        }
      )
    }
    const dataDir =
      opts.dataDir === undefined ? undefined : await existingDir(opts.dataDir, ctx.cwd)
    const snapshot = await takeSnapshot(opts.pid, {
      ...(dataDir === undefined ? {} : { dataDir }),
      ...(opts.label === undefined ? {} : { label: opts.label })
    })
    if (isStdout(opts.out)) {
      ctx.stdout.write(`${JSON.stringify(snapshot, null, 2)}\n`)
      return 0
    }
    if (opts.out !== undefined) {
      const file = resolve(ctx.cwd, opts.out)
      await writeFile(file, `${JSON.stringify(snapshot, null, 2)}\n`).catch((e: unknown) => {
        const reason = (e as NodeJS.ErrnoException).code ?? String(e)
        throw new ProfilerError('BAD_INPUT', `--out: cannot write '${opts.out}' (${reason})`)
      })
    }
    if (opts.json) {
      ctx.stdout.write(`${JSON.stringify(snapshot)}\n`)
      if (opts.out !== undefined) ctx.stderr.write(`snapshot written to ${opts.out}\n`)
      return 0
    }
    const name = await readFile(`/proc/${opts.pid}/comm`, 'utf8')
      .then((s) => s.trim())
      .catch(() => null)
    ctx.stdout.write(
      formatSnapshot(snapshot, { name, top: opts.top, guessed: dataDir === undefined })
    )
    if (opts.out !== undefined) ctx.stdout.write(`\nSnapshot written to ${opts.out}\n`)
    return 0
  }
})

async function existingDir(dir: string, cwd: string): Promise<string> {
  const abs = resolve(cwd, dir)
  const isDir = await stat(abs)
    .then((s) => s.isDirectory())
    .catch(() => false)
  if (!isDir) throw new ProfilerError('BAD_INPUT', `--data-dir: no such directory '${dir}'`)
  return abs
}

const MiB = 1024 * 1024
const mib = (bytes: number): string => (bytes / MiB).toFixed(1)

/** The human view (exported for tests): totals, by kind, top groups, sizes in MiB. */
export function formatSnapshot(
  s: MemorySnapshot,
  options: { name: string | null; top: number; guessed: boolean }
): string {
  const out: string[] = []
  const who = options.name ? `pid ${s.pid} (${options.name})` : `pid ${s.pid}`
  out.push(
    `Memory map of ${who}: ${s.totals.mappings} mappings, ${s.groups.length} groups, read in ${s.tookMs.toFixed(1)} ms`
  )
  out.push(
    s.dataDir === null
      ? 'Data directory: unknown (pass --data-dir to label RocksDB and Parquet files)'
      : `Data directory: ${s.dataDir}${options.guessed ? ' (guessed)' : ''}`
  )
  if (s.totals.mappings === 0) {
    out.push('', 'No user-space mappings (a kernel thread or a zombie).')
    return `${out.join('\n')}\n`
  }
  out.push('')
  const figures = ['rss MiB', 'pss MiB', 'dirty MiB', 'swap MiB', 'size MiB', 'maps']
  const kindRows = MAPPING_KINDS.filter((k) => s.byKind[k].mappings > 0).map((k) => {
    const f = s.byKind[k]
    return [
      k,
      mib(f.rssBytes),
      mib(f.pssBytes),
      mib(f.privateDirtyBytes),
      mib(f.swapBytes),
      mib(f.sizeBytes),
      String(f.mappings)
    ]
  })
  const t = s.totals
  kindRows.push([
    'total',
    mib(t.rssBytes),
    mib(t.pssBytes),
    mib(t.privateDirtyBytes),
    mib(t.swapBytes),
    mib(t.sizeBytes),
    String(t.mappings)
  ])
  out.push(...table(['kind', ...figures], kindRows, 1))
  out.push('')
  const shown = s.groups.slice(0, options.top)
  out.push(`Top ${shown.length} of ${s.groups.length} groups by RSS`)
  const groupRows = shown.map((g) => [
    mib(g.rssBytes),
    mib(g.pssBytes),
    mib(g.privateDirtyBytes),
    mib(g.swapBytes),
    mib(g.sizeBytes),
    String(g.mappings),
    g.kind,
    groupName(g)
  ])
  out.push(...table([...figures, 'kind', 'mapping'], groupRows, 0, 6))
  return `${out.join('\n')}\n`
}

function groupName(g: MappingGroup): string {
  const tags = [g.dataLabel, g.deleted ? 'deleted' : undefined].filter((x) => x !== undefined)
  return tags.length === 0 ? g.key : `${g.key} [${tags.join(', ')}]`
}

/** Columns [from, to) are right-aligned numbers; a text last column is not padded. */
function table(header: string[], rows: string[][], from: number, to = header.length): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => {
        if (i >= from && i < to) return c.padStart(widths[i]!)
        return i === cells.length - 1 ? c : c.padEnd(widths[i]!)
      })
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)]
}
