/**
 * A full memory-map snapshot: /proc/PID/smaps grouped by what is mapped, each group
 * classified (src/shared/snapshot.ts). Reading costs milliseconds on a large process, so
 * it is taken on demand (CLI `snapshot`, scenario phase boundaries), never at the sample rate.
 */
import { isAscii } from 'node:buffer'
import { closeSync, openSync, readSync } from 'node:fs'
import { readFile, readlink, stat } from 'node:fs/promises'
import { isAbsolute, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { ProfilerError } from '../../shared/errors'
import {
  MAPPING_KINDS,
  type DataFileLabel,
  type MappingGroup,
  type MappingKind,
  type MemoryFigures,
  type MemorySnapshot
} from '../../shared/snapshot'
import { pidNotFound } from './proc-errors'
import { isExecutable, isShared, parseSmaps, type SmapsMapping } from './smaps'

export interface TakeSnapshotOptions {
  /** The server's data directory; undefined = guess it (guessDataDir), null = none. */
  dataDir?: string | null
  label?: string
}

export async function takeSnapshot(
  pid: number,
  options: TakeSnapshotOptions = {}
): Promise<MemorySnapshot> {
  const dataDir = options.dataDir === undefined ? await guessDataDir(pid) : options.dataDir
  const t = Date.now()
  const started = performance.now()
  const text = await readProcText(pid, 'smaps')
  const mappings = parseSmaps(text)
  const groups = groupMappings(mappings, dataDir)
  const tookMs = performance.now() - started
  return buildSnapshot(groups, {
    pid,
    t,
    tookMs,
    dataDir,
    ...(options.label === undefined ? {} : { label: options.label })
  })
}

/** Assembles a snapshot from groups (pure): totals, byKind, groups sorted by Rss. */
export function buildSnapshot(
  groups: MappingGroup[],
  meta: { pid: number; t: number; tookMs: number; dataDir: string | null; label?: string }
): MemorySnapshot {
  const totals = zeroFigures()
  const byKind = Object.fromEntries(MAPPING_KINDS.map((k) => [k, zeroFigures()])) as Record<
    MappingKind,
    MemoryFigures
  >
  for (const g of groups) {
    addFigures(totals, g)
    addFigures(byKind[g.kind], g)
  }
  const sorted = [...groups].sort(
    (a, b) => b.rssBytes - a.rssBytes || b.sizeBytes - a.sizeBytes || compare(a.key, b.key)
  )
  return {
    schemaVersion: 1,
    t: meta.t,
    pid: meta.pid,
    ...(meta.label === undefined ? {} : { label: meta.label }),
    tookMs: meta.tookMs,
    dataDir: meta.dataDir,
    totals,
    byKind,
    groups: sorted
  }
}

interface GroupAcc {
  group: MappingGroup
  path: string
  anyExecutable: boolean
  anyShared: boolean
}

/**
 * Groups mappings by what they map (pure): one group per path or bracketed name, all
 * unnamed anonymous memory together as 'anonymous'. Named anonymous regions
 * ([anon:NAME], from PR_SET_VMA_ANON_NAME) keep their name: it says whose memory it is.
 */
export function groupMappings(mappings: SmapsMapping[], dataDir: string | null): MappingGroup[] {
  const byKey = new Map<string, GroupAcc>()
  for (const m of mappings) {
    const key = groupKey(m)
    let acc = byKey.get(key)
    if (!acc) {
      acc = {
        group: { key, kind: 'anonymous', ...zeroFigures() },
        path: m.path,
        anyExecutable: false,
        anyShared: false
      }
      byKey.set(key, acc)
    }
    const g = acc.group
    g.mappings++
    g.sizeBytes += m.sizeBytes
    g.rssBytes += m.rssBytes
    g.pssBytes += m.pssBytes
    g.privateDirtyBytes += m.privateDirtyBytes
    g.swapBytes += m.swapBytes
    if (isExecutable(m)) acc.anyExecutable = true
    if (isShared(m)) acc.anyShared = true
    if (m.deleted && isDeletableFile(m.path)) g.deleted = true
  }
  const dir = dataDir === null ? null : trimSlash(dataDir)
  const out: MappingGroup[] = []
  for (const acc of byKey.values()) {
    const g = acc.group
    g.kind = classify(acc)
    if (g.kind === 'data-file' && dir !== null) {
      const label = dataLabel(acc.path, dir)
      if (label) g.dataLabel = label
    }
    out.push(g)
  }
  return out
}

function groupKey(m: SmapsMapping): string {
  if (m.path === '') return 'anonymous'
  return m.path
}

/** memfd and SysV segments always read "(deleted)": that is how they exist, not news. */
function isDeletableFile(path: string): boolean {
  return (
    path.startsWith('/') &&
    !path.startsWith('/memfd:') &&
    !path.startsWith('/SYSV') &&
    path !== '/dev/zero'
  )
}

function classify(acc: GroupAcc): MappingKind {
  const p = acc.path
  if (p === '') return 'anonymous'
  if (p.startsWith('[')) {
    if (p === '[heap]') return 'heap'
    if (p === '[stack]' || p.startsWith('[stack:')) return 'stack'
    if (p.startsWith('[anon:')) return 'anonymous'
    if (p.startsWith('[anon_shmem:')) return 'shared-memory'
    return 'special'
  }
  if (
    p.startsWith('/SYSV') ||
    p.startsWith('/memfd:') ||
    p.startsWith('/dev/shm/') ||
    // MAP_SHARED|MAP_ANONYMOUS memory is backed by shmem and shows as /dev/zero (deleted).
    p === '/dev/zero'
  ) {
    return 'shared-memory'
  }
  if (p.startsWith('/dev/')) return 'special'
  if (acc.group.deleted && acc.anyShared) return 'shared-memory'
  if (acc.anyExecutable || isSharedLibraryName(p)) return 'library'
  return 'data-file'
}

/** `libc.so.6`, `libfoo.so`, `libbar.so.1.2.3`. */
function isSharedLibraryName(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1)
  const i = base.indexOf('.so')
  if (i <= 0) return false
  const rest = base.slice(i + 3)
  return rest === '' || /^(\.\d+)+$/.test(rest)
}

/** PROTOCOL.md §1: data/rocksdb/ holds SST, WAL, MANIFEST; data/storage/ holds Parquet. */
export function dataLabel(path: string, dataDir: string): DataFileLabel | undefined {
  const dir = trimSlash(dataDir)
  if (!path.startsWith(`${dir}/`)) return undefined
  const rel = path.slice(dir.length + 1)
  const inRocks = rel.startsWith('rocksdb/') || rel.includes('/rocksdb/')
  if (inRocks) return rel.endsWith('.sst') ? 'rocksdb-sst' : 'rocksdb-other'
  if (rel.endsWith('.parquet')) return 'parquet'
  return 'other'
}

function trimSlash(dir: string): string {
  return dir.length > 1 && dir.endsWith('/') ? dir.replace(/\/+$/, '') : dir
}

function zeroFigures(): MemoryFigures {
  return {
    mappings: 0,
    sizeBytes: 0,
    rssBytes: 0,
    pssBytes: 0,
    privateDirtyBytes: 0,
    swapBytes: 0
  }
}

function addFigures(into: MemoryFigures, from: MemoryFigures): void {
  into.mappings += from.mappings
  into.sizeBytes += from.sizeBytes
  into.rssBytes += from.rssBytes
  into.pssBytes += from.pssBytes
  into.privateDirtyBytes += from.privateDirtyBytes
  into.swapBytes += from.swapBytes
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * Where the server keeps its data (PROTOCOL.md §1): KALAMDB_DATA_DIR from the process's
 * environment, else `storage.data_path` of its config file (first argument, else
 * ./server.toml), else `<cwd>/data` when that exists (the default `./data` is relative to
 * the server's working directory), else null. Never throws: a guess that fails is null.
 */
export async function guessDataDir(pid: number): Promise<string | null> {
  const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => null)
  const fromEnv = await readFile(`/proc/${pid}/environ`, 'utf8')
    .then((text) => envValue(text, 'KALAMDB_DATA_DIR'))
    .catch(() => null)
  if (fromEnv) return absolute(fromEnv, cwd)
  const fromConfig = await configDataPath(pid, cwd)
  if (fromConfig) return fromConfig
  if (cwd !== null) {
    const candidate = resolve(cwd, 'data')
    const isDir = await stat(candidate)
      .then((s) => s.isDirectory())
      .catch(() => false)
    if (isDir) return candidate
  }
  return null
}

/** Value of NAME in a NUL-separated environ text; null when absent or empty. */
export function envValue(environ: string, name: string): string | null {
  const prefix = `${name}=`
  for (const entry of environ.split('\0')) {
    if (entry.startsWith(prefix)) return entry.slice(prefix.length) || null
  }
  return null
}

async function configDataPath(pid: number, cwd: string | null): Promise<string | null> {
  const args = await readFile(`/proc/${pid}/cmdline`, 'utf8')
    .then((t) => t.split('\0').filter((a) => a !== ''))
    .catch(() => [] as string[])
  const argConfig = args.slice(1).find((a) => a.endsWith('.toml') && !a.startsWith('-'))
  const configPath = argConfig ?? (cwd !== null ? 'server.toml' : null)
  if (configPath === null || (cwd === null && !isAbsolute(configPath))) return null
  const text = await readFile(absolute(configPath, cwd), 'utf8').catch(() => null)
  if (text === null) return null
  const dataPath = tomlDataPath(text)
  return dataPath === null ? null : absolute(dataPath, cwd)
}

/** `data_path = "…"` inside the `[storage]` table of a server.toml (just enough TOML). */
export function tomlDataPath(toml: string): string | null {
  let inStorage = false
  for (const raw of toml.split('\n')) {
    const line = raw.trim()
    if (line.startsWith('[')) {
      inStorage = line === '[storage]'
      continue
    }
    if (!inStorage) continue
    const m = /^data_path\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(line)
    if (m) return m[1] ?? m[2] ?? null
  }
  return null
}

function absolute(path: string, cwd: string | null): string {
  if (isAbsolute(path)) return path
  return cwd === null ? path : resolve(cwd, path)
}

/**
 * Reads /proc/PID/<file>, turning the kernel's refusals into one clear error: ENOENT/ESRCH =
 * no such process, EACCES/EPERM = another user's process.
 *
 * Why synchronous reads in slices: the kernel hands out smaps a page at a time (about 4 KB,
 * a few mappings, per read()), so a 6,000-mapping process takes ~1,200 reads. Through the
 * thread pool (readFile) each read is a round trip and the whole file costs 50–100 ms; read
 * synchronously it costs what the kernel needs (25–30 ms for 1 GiB in 6,000 mappings here).
 * Yielding to the event loop every few ms keeps the sampler's schedule and the UI
 * responsive meanwhile.
 *
 * Why chunks: a buffer doubled as it fills copies the text again at every doubling (8 MB of
 * copies for 4 MB of smaps); chunks are joined once at the end.
 */
export async function readProcText(pid: number, file: string): Promise<string> {
  const path = `/proc/${pid}/${file}`
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (e) {
    throw await procReadError(e, pid, file)
  }
  try {
    const chunks: Buffer[] = []
    let chunk = Buffer.allocUnsafe(CHUNK_BYTES)
    let used = 0
    let sliceStart = performance.now()
    for (;;) {
      if (chunk.length - used < READ_ROOM) {
        chunks.push(chunk.subarray(0, used))
        chunk = Buffer.allocUnsafe(CHUNK_BYTES)
        used = 0
      }
      let n: number
      try {
        n = readSync(fd, chunk, used, chunk.length - used, null)
      } catch (e) {
        throw await procReadError(e, pid, file)
      }
      if (n === 0) break
      used += n
      if (performance.now() - sliceStart > SLICE_MS) {
        await new Promise<void>((r) => setImmediate(r))
        sliceStart = performance.now()
      }
    }
    chunks.push(chunk.subarray(0, used))
    return decodeText(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks))
  } finally {
    closeSync(fd)
  }
}

/**
 * UTF-8 text of a /proc file. Nearly always pure ASCII, which decodes as Latin-1 about ten
 * times faster than through the UTF-8 decoder (3 ms → 0.3 ms for 4 MB of smaps) to the same
 * string; a path with other characters sends the whole text through UTF-8.
 */
export function decodeText(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8')
}

/** What one read() may return: a seq_file page, or one record larger than that. */
const READ_ROOM = 64 * 1024
/** Each chunk holds many reads; smaps of a large process spans a few. */
const CHUNK_BYTES = 1024 * 1024
/** Longest the event loop is held between yields while reading. */
const SLICE_MS = 4

async function procReadError(e: unknown, pid: number, file: string): Promise<unknown> {
  const code = (e as NodeJS.ErrnoException | null)?.code
  if (code === 'ENOENT' || code === 'ESRCH') return pidNotFound(pid)
  if (code === 'EACCES' || code === 'EPERM') {
    const owner = await stat(`/proc/${pid}`)
      .then((s) => s.uid)
      .catch(() => null)
    return permissionError(pid, file, owner, e)
  }
  return e
}

/**
 * The error for a /proc file the kernel refuses (exported for its test). Usually the process
 * belongs to another user; when it is ours (or we are root) the kernel refused a ptrace-read
 * check: a non-dumpable process or one in another user namespace (container).
 */
export function permissionError(
  pid: number,
  file: string,
  ownerUid: number | null,
  cause?: unknown,
  selfUid: number | null = process.getuid?.() ?? null
): ProfilerError {
  const path = `/proc/${pid}/${file}`
  if (ownerUid !== null && selfUid !== null && (ownerUid === selfUid || selfUid === 0)) {
    return new ProfilerError(
      'PERMISSION_DENIED',
      `cannot read ${path}: the kernel refused access (pid ${pid} is non-dumpable or in another container)`,
      { hint: `run kalam-profiler as root inside the same container as pid ${pid}`, cause }
    )
  }
  const whose = ownerUid === null ? 'another user' : `user id ${ownerUid}`
  return new ProfilerError(
    'PERMISSION_DENIED',
    `cannot read ${path}: pid ${pid} belongs to ${whose}`,
    {
      hint: `run kalam-profiler as the same user as pid ${pid}, or as root (sudo)`,
      cause
    }
  )
}
