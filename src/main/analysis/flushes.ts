/**
 * Rows written to KalamDB wait in RocksDB memtables until a flush (by default 10,000 rows per
 * table or five minutes, PROTOCOL.md "Flush"): the memory they hold grows with every insert
 * and comes back only when a flush writes them out. A load that ends before its first flush
 * — a low insert rate, a short run — climbs like a leak all the way (a recording at 50 rows/s
 * for 3 minutes: 2 KiB per insert, no leak). When the server reports its memtables
 * (system.stats rocksdb_memtables_size_bytes) and they only grew from the start of the judged
 * window to the end of the session, no flush showed what comes back, and a leak verdict
 * becomes inconclusive, saying so.
 */
import type { Sample } from '../../shared/sample'
import type { SessionEvent } from '../../shared/session'
import { memtableOf } from './flush-cycle'
import type { MetricReport } from './metric'
import { noFlushReason } from './words'

/** A poll whose memtables hold less than this share of the poll before saw a flush. */
export const FLUSH_DROP_SHARE = 0.5
/** Fewer memtable polls than this say nothing either way. */
export const MIN_MEMTABLE_POLLS = 3

export interface MemtableGrowth {
  fromBytes: number
  toBytes: number
  polls: number
}

/**
 * The server's memtables from `from` on, when they were polled often enough and only grew
 * (no poll fell to under FLUSH_DROP_SHARE of the one before); null when a flush was seen,
 * they did not grow, or the server did not report them.
 */
export function memtablesOnlyGrew(samples: readonly Sample[], from: number): MemtableGrowth | null {
  const polls = new Map<number, number>()
  for (const s of samples) {
    const m = memtableOf(s)
    if (s.server && s.server.polledAt >= from && m !== null) polls.set(s.server.polledAt, m)
  }
  const values = [...polls].sort((a, b) => a[0] - b[0]).map(([, m]) => m)
  if (values.length < MIN_MEMTABLE_POLLS) return null
  for (let i = 1; i < values.length; i++) {
    if ((values[i] as number) < FLUSH_DROP_SHARE * (values[i - 1] as number)) return null
  }
  const fromBytes = values[0] as number
  const toBytes = values[values.length - 1] as number
  return toBytes > fromBytes ? { fromBytes, toBytes, polls: values.length } : null
}

/**
 * No flush from `from` on: the memtables only grew, and no flush the profiler asked for
 * (T225) completed. Null when a flush was seen or the server did not say.
 */
export function unflushedSince(
  samples: readonly Sample[],
  events: readonly SessionEvent[],
  from: number
): MemtableGrowth | null {
  if (events.some((e) => e.type === 'flush' && e.status === 'completed' && e.t >= from)) {
    return null
  }
  return memtablesOnlyGrew(samples, from)
}

/**
 * The report, with a leak made inconclusive when no flush was seen from its window on.
 */
export function checkLeakAgainstFlushes(
  report: MetricReport,
  samples: readonly Sample[],
  events: readonly SessionEvent[]
): MetricReport {
  if (report.analysis.verdict !== 'leak') return report
  const growth = unflushedSince(samples, events, report.trend.window.from)
  if (!growth) return report
  return {
    ...report,
    analysis: {
      ...report.analysis,
      verdict: 'inconclusive',
      reasonCode: 'no-flush',
      reason: noFlushReason(report.field, report.analysis.slopeBytesPerMin, growth)
    }
  }
}
