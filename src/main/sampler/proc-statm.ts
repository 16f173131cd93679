/**
 * /proc/PID/statm: parse apart from read (STYLE.md §11). Seven counts of pages on one line:
 * size resident shared text lib data dt. The kernel builds it from the same counters as the
 * memory lines of status (resident = anon + file + shmem = VmRSS; shared = file + shmem),
 * but prints seven numbers instead of ~55 formatted lines: a few µs to generate where status
 * takes tens (`top` reads RES from here for the same reason).
 */

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
    const from = at
    let v = 0
    for (let c = text.charCodeAt(at); c >= DIGIT_0 && c <= DIGIT_9; c = text.charCodeAt(++at)) {
      v = v * 10 + (c - DIGIT_0)
    }
    if (at === from || text.charCodeAt(at) !== SPACE) {
      throw new Error(`malformed /proc statm line: '${text.slice(0, 80)}'`)
    }
    counts[f] = v
    at++
  }
  const [size = 0, resident = 0, shared = 0] = counts
  if (shared > resident) throw new Error(`malformed /proc statm line: '${text.slice(0, 80)}'`)
  return { sizePages: size, residentPages: resident, sharedPages: shared }
}

const DIGIT_0 = 0x30
const DIGIT_9 = 0x39
const SPACE = 0x20
