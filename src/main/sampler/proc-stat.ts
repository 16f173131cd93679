/**
 * /proc/PID/stat: parse apart from read (STYLE.md §11). Field numbers follow proc(5).
 * The command name (field 2) is in parentheses and may itself contain spaces and
 * parentheses, so fields are counted from the LAST ')' of the line.
 */

export interface ProcStat {
  pid: number
  /** The command name as the kernel stores it (at most 15 bytes). */
  comm: string
  /** One-letter state: R, S, D, Z (zombie), X (dead), T, t, I … */
  state: string
  ppid: number
  /** CPU time in user mode, in clock ticks (sysconf(_SC_CLK_TCK), usually 100/s). */
  utimeTicks: number
  /** CPU time in kernel mode, in clock ticks. */
  stimeTicks: number
  numThreads: number
  /** When the process started, in clock ticks after boot: with the pid, identifies it (pid reuse). */
  startTimeTicks: number
  vsizeBytes: number
  /** Resident pages (multiply by the page size); VmRSS in status is the same in KiB. */
  rssPages: number
}

export function parseStat(text: string): ProcStat {
  const open = text.indexOf('(')
  const close = text.lastIndexOf(')')
  if (open < 0 || close < open) throw new Error(`malformed /proc stat line: '${text.slice(0, 80)}'`)
  const rest = text
    .slice(close + 1)
    .trim()
    // The kernel separates fields by one space. Fields 3 … 24 only: the rest (up to 52) are
    // not used, and this runs at every sample.
    .split(' ', 22)
  // rest[0] is field 3 (state): field n is rest[n - 3].
  const field = (n: number): number => {
    const v = Number(rest[n - 3])
    if (!Number.isFinite(v)) throw new Error(`malformed /proc stat line: field ${n} missing`)
    return v
  }
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '?',
    ppid: field(4),
    utimeTicks: field(14),
    stimeTicks: field(15),
    numThreads: field(20),
    startTimeTicks: field(22),
    vsizeBytes: field(23),
    rssPages: field(24)
  }
}

/** States in which the process has exited (zombie awaiting its parent, or dead). */
export function isExitedState(state: string): boolean {
  return state === 'Z' || state === 'X' || state === 'x'
}
