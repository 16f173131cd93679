/**
 * Rows written to KalamDB wait in RocksDB memtables until a flush (by default 10,000 rows per
 * table or five minutes, PROTOCOL.md "Flush"): the memory they hold grows with every insert
 * and comes back only when a flush writes them out. A load that ends before its first flush
 * — a low insert rate, a short run — climbs like a leak all the way (a recording at 50 rows/s
 * for 3 minutes: 2 KiB per insert, no leak). When the server reports its memtables
 * (system.stats rocksdb_memtables_size_bytes) and they only grew from the start of the judged
 * window to the end of the session, no flush showed what comes back, and a leak verdict
 * becomes inconclusive, saying so. The other way, a leak read on a line through few flush
 * cycles may be the cycle's phase (slopeBesideMemtables), and is checked with the memtables
 * beside time.
 */
import type { Sample } from '../../shared/sample'
import type { SessionEvent } from '../../shared/session'
import { memtableOf, slopeBesideMemtables } from './flush-cycle'
import type { Point } from './growth'
import type { MetricReport } from './metric'
import { tQuantile } from './stats'
import { LATE_FRACTION } from './trend'
import { keptMostOf } from './release'
import {
  flushedAfterLoadReason,
  flushPhaseReason,
  keptAfterFlushClause,
  noFlushReason
} from './words'

/**
 * A poll whose memtables hold less than this share of the poll before saw a flush of the
 * load's rows. The server reports its memtables summed over all column families: a smaller
 * fall can be another table's (a system table's) flush while the load's rows are all still
 * held, and a leak verdict must not rest on that. (flush-cycle.ts takes every fall as a cycle
 * boundary instead: there a partial flush still splits the sawtooth.)
 */
export const FLUSH_DROP_SHARE = 0.5
/** At most this many flushes in the late half leave a leak beside the memtables in doubt… */
export const FEW_FLUSHES = 2
/** …unless it grows at this many times the leak margin (checkLeakAgainstFlushPhase). */
export const FEW_FLUSHES_MARGIN_FACTOR = 2
/** Fewer memtable polls than this say nothing either way. */
export const MIN_MEMTABLE_POLLS = 3

export interface MemtableGrowth {
  fromBytes: number
  toBytes: number
  polls: number
}

/**
 * The server's memtables from `from` on (to `to`), when they were polled often enough and
 * only grew (no poll fell to under FLUSH_DROP_SHARE of the one before); null when a flush was
 * seen, they did not grow, or the server did not report them.
 */
export function memtablesOnlyGrew(
  samples: readonly Sample[],
  from: number,
  to = Infinity
): MemtableGrowth | null {
  const polls = new Map<number, number>()
  for (const s of samples) {
    const m = memtableOf(s)
    const at = s.server?.polledAt
    if (at !== undefined && at >= from && at <= to && m !== null) polls.set(at, m)
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
 * No flush from `from` on (to `to`): the memtables only grew, and no flush the profiler asked
 * for (T226, T227, T228's after its ramp) completed. Null when a flush was seen or the server
 * did not say.
 */
export function unflushedSince(
  samples: readonly Sample[],
  events: readonly SessionEvent[],
  from: number,
  to = Infinity
): MemtableGrowth | null {
  const flushed = (e: SessionEvent): boolean =>
    e.type === 'flush' && e.status === 'completed' && e.t >= from && e.t <= to
  if (events.some(flushed)) return null
  return memtablesOnlyGrew(samples, from, to)
}

/**
 * The report, with a leak made inconclusive when no flush was seen in its window.
 *
 * A flush after the window (T228 flushes once after its ramp, then stays quiet) writes the
 * rows out, and what the quiet then keeps is the question: the leak stands only when the
 * load kept most of its growth, beyond T224's limit (keptMostOf, as for a load too unsteady
 * to call). Giving back less than half, the rest within the limit, is no verdict: recorded
 * clean ramps gave back 57-60 % and kept 5-6 MiB (allocator caches), and one leaking 512 B
 * per insert gave back 47 % and kept 7 MiB. `rssLevelBytes`: for a part of the process whose
 * leak RSS does not show, the limit is a share of the process's RSS (against-rss.ts): that
 * ramp's heap kept 8.4 MiB, 29 % of its own level and 10 % of RSS's.
 */
export function checkLeakAgainstFlushes(
  report: MetricReport,
  samples: readonly Sample[],
  events: readonly SessionEvent[],
  rssLevelBytes?: number
): MetricReport {
  if (report.analysis.verdict !== 'leak') return report
  const { from, to } = report.trend.window
  const growth = unflushedSince(samples, events, from, to)
  if (!growth) return report
  const r = report.release
  const flushedAfter = r !== null && unflushedSince(samples, events, from) === null
  if (flushedAfter && keptMostOf(r, rssLevelBytes)) {
    return {
      ...report,
      analysis: {
        ...report.analysis,
        reason: report.analysis.reason + keptAfterFlushClause(r)
      }
    }
  }
  return {
    ...report,
    analysis: {
      ...report.analysis,
      verdict: 'inconclusive',
      reasonCode: 'no-flush',
      reason:
        flushedAfter && r.releasedPercent !== null
          ? flushedAfterLoadReason(
              report.field,
              report.analysis.slopeBytesPerMin,
              growth,
              r,
              rssLevelBytes
            )
          : noFlushReason(report.field, report.analysis.slopeBytesPerMin, growth)
    }
  }
}

/**
 * A leak read on a line through few flush cycles may be the cycle's phase: a window that starts
 * low in one cycle and ends high in another rises by most of a swing without any leak (a
 * recorded clean writers-and-listeners run, 100 s cycles in a 4.5-minute window, PSS read
 * every 5 s: a "leak" of 0.5 MiB/min whose troughs were flat). Where the server reports its
 * memtables and flushed in the window's late half, memory there is regressed on time and
 * memtables at once, and a leak whose time slope is then surely under the leak margin (95 %)
 * becomes inconclusive, saying so. A leak judged by a sawtooth's troughs, or with the flush
 * cycle taken out, is left as it is.
 *
 * With one or two flushes in the late half, that slope is one or two steps from a trough to
 * the next, and its interval knows only the samples' noise, not how far a trough moves by
 * itself. After a flush an allocator keeps some of the pages the rows filled: a recorded clean
 * writers-and-listeners run (two 100 s cycles in the window) sat 0.6 MiB higher after each
 * flush, its live heap flat and V8's committed heap up 0.7 MiB a cycle, and read +272 KiB/min
 * beside its memtables (95 % interval ±27), 1.2 times RSS's leak margin; ten minutes of the
 * same load were stable. So there a leak must also grow at FEW_FLUSHES_MARGIN_FACTOR times
 * the leak margin beside the memtables. The leaks recorded with so few flushes grew at 3.9
 * times it or more (64 B per insert every 10 s, 128 B in writers-and-listeners).
 */
export function checkLeakAgainstFlushPhase(
  report: MetricReport,
  points: readonly Point[],
  memtables: readonly Point[]
): MetricReport {
  const { trend } = report
  if (report.analysis.verdict !== 'leak' || report.flushCycle || trend.sawtooth) return report
  // The late half, as a leak's late half must go on growing (trend.ts): a warm-up's first
  // cycle sitting low is not taken for growth.
  const { from, to } = trend.window
  const lateFrom = from + (1 - LATE_FRACTION) * (to - from)
  const beside = slopeBesideMemtables(points, memtables, { from: lateFrom, to })
  if (!beside) return report
  const upper = beside.slope + tQuantile(0.95, beside.df) * beside.slopeSe
  const fewFlushesMargin = FEW_FLUSHES_MARGIN_FACTOR * trend.leakMarginBytesPerMin
  const surelyUnder = upper < trend.leakMarginBytesPerMin
  if (!surelyUnder && !(beside.flushes <= FEW_FLUSHES && beside.slope < fewFlushesMargin)) {
    return report
  }
  return {
    ...report,
    analysis: {
      ...report.analysis,
      verdict: 'inconclusive',
      reasonCode: 'flush-phase',
      reason: flushPhaseReason(report.field, trend, {
        spanMs: to - lateFrom,
        flushes: beside.flushes,
        slopeBytesPerMin: beside.slope,
        fewFlushesMarginBytesPerMin: surelyUnder ? null : fewFlushesMargin
      })
    }
  }
}
