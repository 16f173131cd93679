/**
 * /proc/PID/stat: parse apart from read (STYLE.md §11). Field numbers follow proc(5).
 * The command name (field 2) is in parentheses and may itself contain spaces and
 * parentheses, so fields are counted from the LAST ')' of the line.
 */
import { digitsEnd, digitsValue, NL, SPACE } from './proc-digits'

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
  // Fields 3 … 24 start after the ") " and are separated by one space each. Found by a
  // scan rather than split(): this runs at every sample, and at 10 Hz on a cold cache the
  // split and its 22 strings cost as much as reading the file.
  const starts: number[] = []
  let at = close + 2
  for (let n = 3; n <= 24 && at < text.length; n++) {
    starts.push(at)
    const space = text.indexOf(' ', at)
    at = space < 0 ? text.length : space + 1
  }
  // starts[0] is field 3 (state): field n starts at starts[n - 3].
  const field = (n: number): number => {
    const from = starts[n - 3]
    const end = from === undefined ? -1 : digitsEnd(text, from)
    // A field is digits up to a space or the line's end; a negative or empty one is not ours.
    const next = text.charCodeAt(end)
    if (
      from === undefined ||
      end === from ||
      !(next === SPACE || next === NL || end === text.length)
    ) {
      throw new Error(`malformed /proc stat line: field ${n} missing`)
    }
    return digitsValue(text, from, end)
  }
  const stateAt = starts[0]
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: stateAt === undefined ? '?' : text.charAt(stateAt),
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
