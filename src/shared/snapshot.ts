/**
 * A full memory-map snapshot of the target (/proc/PID/smaps grouped by mapping) and the
 * difference of two. Written to `<session>/snapshots/*.json`, shown by the UI and reports.
 * All sizes are bytes.
 */

/** What a group of mappings is. */
export const MAPPING_KINDS = [
  /** [heap]: the brk heap. */
  'heap',
  /** Anonymous private mappings: mimalloc segments, arenas, thread stacks other than main's. */
  'anonymous',
  /** [stack] and [stack:TID]. */
  'stack',
  /** A regular file that is neither code nor a shared library (SST, Parquet, logs …). */
  'data-file',
  /** Executable code: the binary itself and shared libraries (.so). */
  'library',
  /** SysV shm, /dev/shm, memfd, deleted shared mappings. */
  'shared-memory',
  /** [vdso], [vvar], [vsyscall] and other kernel-provided regions. */
  'special'
] as const
export type MappingKind = (typeof MAPPING_KINDS)[number]

/** Label of a data file under the server's data directory. */
export type DataFileLabel = 'rocksdb-sst' | 'rocksdb-other' | 'parquet' | 'other'

export interface MemoryFigures {
  /** Number of mappings (lines of smaps headers) counted. */
  mappings: number
  sizeBytes: number
  rssBytes: number
  pssBytes: number
  privateDirtyBytes: number
  swapBytes: number
}

export interface MappingGroup extends MemoryFigures {
  /** Path for file mappings, the bracketed name for special ones, 'anonymous' for anonymous. */
  key: string
  kind: MappingKind
  /** Set for data files under the server's data directory. */
  dataLabel?: DataFileLabel
  /** The file was deleted while still mapped. */
  deleted?: boolean
}

export interface MemorySnapshot {
  schemaVersion: 1
  /** When it was taken (ms since the epoch). */
  t: number
  pid: number
  label?: string
  /** Time spent reading and parsing smaps (ms). */
  tookMs: number
  /** The server's data directory, when known (files under it get a dataLabel). */
  dataDir: string | null
  totals: MemoryFigures
  byKind: Record<MappingKind, MemoryFigures>
  /** Groups sorted by rssBytes, largest first. */
  groups: MappingGroup[]
}

export interface SnapshotDiffRow {
  key: string
  kind: MappingKind
  dataLabel?: DataFileLabel
  beforeRssBytes: number
  afterRssBytes: number
  deltaRssBytes: number
  /** Change relative to before; null when the group is new. */
  deltaPercent: number | null
  deltaPssBytes: number
  deltaPrivateDirtyBytes: number
  deltaSwapBytes: number
  status: 'grew' | 'shrank' | 'new' | 'gone' | 'same'
}

export interface SnapshotDiff {
  beforeT: number
  afterT: number
  totalDeltaRssBytes: number
  byKind: Record<MappingKind, { deltaRssBytes: number; deltaPercent: number | null }>
  /** Sorted by deltaRssBytes, largest growth first. */
  rows: SnapshotDiffRow[]
}
