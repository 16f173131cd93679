/**
 * One observation of the target process (DESIGN.md "Sample", a contract).
 *
 * Timing: `t` is the wall-clock instant the sample was scheduled for and taken at (ms since
 * the Unix epoch). Every byte figure is bytes, every CPU figure percent of one core
 * (100 = one core busy for the whole interval). `null` means "not measured in this sample"
 * — never a stale copy of an earlier value.
 */
export interface Sample {
  /** Unix time in ms. */
  t: number
  /** Process id of the target. */
  pid: number
  /** VmRSS: resident pages of /proc/PID/statm (the counters status prints as VmRSS). */
  rssBytes: number
  /**
   * Pss from /proc/PID/smaps_rollup; null between rollup reads (at most one per second, up
   * to every 30 s on a large process: see SamplerOptions.readBudget).
   */
  pssBytes: number | null
  /** Private_Clean + Private_Dirty from smaps_rollup; null between rollup reads. */
  ussBytes: number | null
  /** RssAnon (statm's resident − shared): resident anonymous memory — the allocator's heap and arenas. */
  heapBytes: number
  /**
   * RssFile: resident file-backed memory — libraries and mmapped data files. statm's shared
   * less status's RssShmem; status is read at most once a second, so at shorter intervals
   * the shmem part is up to a second old.
   */
  fileMappedBytes: number
  /** VmStk: the main thread's stack (from status: up to a second old at shorter intervals). */
  stackBytes: number
  /** VmSwap (from status, like stackBytes). */
  swapBytes: number
  /** (utime+stime) delta over wall time; null for the first sample of a run. */
  cpuPercent: number | null
  cpuUserPercent: number | null
  cpuSystemPercent: number | null
  /** Threads: from /proc/PID/stat. */
  threads: number
  /** Open file descriptors: entries of /proc/PID/fd. */
  fds: number
  /** ESTABLISHED TCP sockets owned by the process (IPv4 + IPv6). */
  tcpConnections: number
  /** ESTABLISHED inbound connections on the server's HTTP port; null when the port is unknown. */
  portConnections: number | null
  /**
   * When tcpConnections/portConnections were read (ms since the epoch). Socket scans cost
   * milliseconds (the kernel walks its whole TCP hash per table), so at sub-second intervals
   * they run about once a second and samples in between repeat the last scan's counts:
   * then socketsAt < t. Absent in samples written before this field existed.
   */
  socketsAt?: number
  /** WebSocket sessions the server reports (system.stats websocket_sessions); null when not polled. */
  wsConnections: number | null
  /** The server's own figures from its latest system.stats poll; absent when not polled. */
  server?: ServerFigures
}

/**
 * A sample as read back from a session directory: its time and RSS are certain; any other
 * figure may be missing or null (samples written by another tool or by hand carry what they
 * measured, and DESIGN.md asks only for session.json and samples.ndjson).
 */
export type RecordedSample = Pick<Sample, 't' | 'rssBytes'> & {
  [K in Exclude<keyof Sample, 't' | 'rssBytes' | 'server'>]?: Sample[K] | null
} & { server?: ServerFigures }

/**
 * What KalamDB says about itself (system.stats), attached to samples taken after a poll.
 * Every field is optional: servers of other versions report other subsets.
 */
export interface ServerFigures {
  /** When the poll that produced these figures answered (ms since epoch). */
  polledAt: number
  memoryBytes?: number
  cpuPercent?: number
  threads?: number
  websocketSessions?: number
  websocketSessionsPeak?: number
  activeConnections?: number
  activeSubscriptions?: number
  activeSubscriptionsPeak?: number
  jobsRunning?: number
  jobsQueued?: number
  jobsFailed?: number
  memtableBytes?: number
  sstBytes?: number
}

/** The Sample fields that hold bytes, in the order views and reports list them. */
export const MEMORY_FIELDS = [
  'rssBytes',
  'heapBytes',
  'fileMappedBytes',
  'stackBytes',
  'pssBytes',
  'ussBytes',
  'swapBytes'
] as const satisfies readonly (keyof Sample)[]

export type MemoryField = (typeof MEMORY_FIELDS)[number]
