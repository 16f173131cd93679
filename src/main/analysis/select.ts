/**
 * Order statistics by selection (Hoare's quickselect with a median-of-three pivot): linear on
 * average, where a sort is n log n with a comparator call at every step. Theil–Sen takes the
 * median of every pairwise slope (a 60 s climb sampled at 10 Hz has 180,000 of them), and a
 * bootstrap a quantile of every resample (compare/stats.ts). Each works on a scratch
 * Float64Array and reorders its first n entries; the extremes (maxOf, minOf) only read.
 */

/** The k-th smallest (0-based) of the first n entries of `a`. */
export function select(a: Float64Array, n: number, k: number): number {
  let lo = 0
  let hi = n - 1
  while (hi > lo) {
    const mid = (lo + hi) >>> 1
    // Median of three into a[mid], so sorted or reversed input stays linear.
    if ((a[mid] as number) < (a[lo] as number)) swap(a, mid, lo)
    if ((a[hi] as number) < (a[lo] as number)) swap(a, hi, lo)
    if ((a[hi] as number) < (a[mid] as number)) swap(a, hi, mid)
    const pivot = a[mid] as number
    let i = lo
    let j = hi
    while (i <= j) {
      while ((a[i] as number) < pivot) i++
      while ((a[j] as number) > pivot) j--
      if (i <= j) {
        swap(a, i, j)
        i++
        j--
      }
    }
    if (k <= j) hi = j
    else if (k >= i) lo = i
    else return a[k] as number
  }
  return a[k] as number
}

/**
 * The median of the first n entries: the middle one, or the mean of the two middle ones (as a
 * sort would give it, to the last bit).
 */
export function medianInPlace(a: Float64Array, n = a.length): number {
  const mid = n >> 1
  const upper = select(a, n, mid)
  if (n % 2 === 1) return upper
  // Selection leaves every entry before `mid` no greater than a[mid]: the lower middle is
  // their largest.
  return (maxOf(a.subarray(0, mid)) + upper) / 2
}

/** The type-7 quantile (Hyndman–Fan) of the first n entries. */
export function quantileInPlace(a: Float64Array, n: number, q: number): number {
  if (n === 1) return a[0] as number
  const h = (n - 1) * q
  const lo = Math.floor(h)
  const vlo = select(a, n, lo)
  if (h === lo || lo + 1 >= n) return vlo
  // Everything after `lo` is ≥ a[lo]: the next order statistic is their minimum.
  const vhi = minOf(a.subarray(lo + 1, n))
  return vlo + (h - lo) * (vhi - vlo)
}

/**
 * The largest of `values` (−Infinity for none). Math.max(...values) passes every value as an
 * argument, and past about 100,000 of them the stack overflows: an 8-hour session sampled at
 * 10 Hz has 288,000 samples.
 */
export function maxOf(values: ArrayLike<number>): number {
  let max = -Infinity
  for (let i = 0; i < values.length; i++) if ((values[i] as number) > max) max = values[i] as number
  return max
}

/** The smallest of `values` (Infinity for none); see maxOf. */
export function minOf(values: ArrayLike<number>): number {
  let min = Infinity
  for (let i = 0; i < values.length; i++) if ((values[i] as number) < min) min = values[i] as number
  return min
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i] as number
  a[i] = a[j] as number
  a[j] = t
}
