/**
 * /proc/PID/smaps_rollup: the sum of every mapping's smaps figures, computed by the kernel
 * (since 4.14). Cheaper than summing smaps ourselves, but still a walk over every mapping
 * (milliseconds on a large process), hence at most once per second (DESIGN.md cost rule).
 */

export interface SmapsRollup {
  rssBytes: number
  /** Proportional set size: shared pages divided among the processes sharing them. */
  pssBytes: number
  privateCleanBytes: number
  privateDirtyBytes: number
  /** Unique set size: Private_Clean + Private_Dirty, what killing the process would free. */
  ussBytes: number
  anonymousBytes: number
  swapBytes: number
  swapPssBytes: number
  /** Every "Key: N kB" line, in bytes, for figures not named above. */
  all: Record<string, number>
}

const KIB = 1024

export function parseSmapsRollup(text: string): SmapsRollup {
  const all: Record<string, number> = {}
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s+(\d+) kB$/.exec(line.trim())
    if (m) all[m[1]!] = Number(m[2]) * KIB
  }
  if (all.Rss === undefined || all.Pss === undefined) {
    throw new Error('malformed smaps_rollup: no Rss/Pss lines')
  }
  const privateCleanBytes = all.Private_Clean ?? 0
  const privateDirtyBytes = all.Private_Dirty ?? 0
  return {
    rssBytes: all.Rss,
    pssBytes: all.Pss,
    privateCleanBytes,
    privateDirtyBytes,
    ussBytes: privateCleanBytes + privateDirtyBytes,
    anonymousBytes: all.Anonymous ?? 0,
    swapBytes: all.Swap ?? 0,
    swapPssBytes: all.SwapPss ?? 0,
    all
  }
}
