/**
 * Unsigned decimals read in place from /proc texts, by character code: the status, stat and
 * statm parsers run at every sample, where a split() or a regular expression per field cost
 * more than reading the file (issue 3, benchmark).
 */

export const SPACE = 0x20
export const NL = 0x0a
const DIGIT_0 = 0x30
const DIGIT_9 = 0x39

/** Where the run of digits starting at `i` ends (`i` itself when there is none). */
export function digitsEnd(text: string, i: number): number {
  for (let c = text.charCodeAt(i); c >= DIGIT_0 && c <= DIGIT_9; c = text.charCodeAt(++i));
  return i
}

/** The value of the digits from `from` up to `to` (as found by digitsEnd). */
export function digitsValue(text: string, from: number, to: number): number {
  let n = 0
  for (let i = from; i < to; i++) n = n * 10 + (text.charCodeAt(i) - DIGIT_0)
  return n
}
