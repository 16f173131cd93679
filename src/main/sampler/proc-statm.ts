/**
 * /proc/PID/statm: parse apart from read (STYLE.md §11). Seven counts of pages on one line:
 * size resident shared text lib data dt. The kernel builds it from the same counters as the
 * memory lines of status (resident = anon + file + shmem = VmRSS; shared = file + shmem),
 * but prints seven numbers instead of ~55 formatted lines: a few µs to generate where status
 * takes tens (`top` reads RES from here for the same reason).
 */
import { digitsEnd, digitsValue, SPACE } from './proc-digits'

export interface ProcStatm {
  sizePages: number
  /** VmRSS in pages. */
  residentPages: number
  /** RssFile + RssShmem in pages: resident − shared is RssAnon. */
  sharedPages: number
}

export function parseStatm(text: string): ProcStatm {
  // Three leading numbers read in place, as parseStat does: this runs at every sample.
  const counts = [0, 0, 0]
  let at = 0
  for (let f = 0; f < 3; f++) {
    const end = digitsEnd(text, at)
    if (end === at || text.charCodeAt(end) !== SPACE) {
      throw new Error(`malformed /proc statm line: '${text.slice(0, 80)}'`)
    }
    counts[f] = digitsValue(text, at, end)
    at = end + 1
  }
  const [size = 0, resident = 0, shared = 0] = counts
  if (shared > resident) throw new Error(`malformed /proc statm line: '${text.slice(0, 80)}'`)
  return { sizePages: size, residentPages: resident, sharedPages: shared }
}
