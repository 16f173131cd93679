/**
 * The open-model clock of the writers (coordinated-omission-correct, like wrk2): requests
 * have intended start times on a fixed grid derived from the target rate, independent of
 * how fast the server answers. A request that waits for a busy writer keeps its intended
 * time, so a stalled server shows up as latency, not as a lower send rate.
 *
 * Pure arithmetic on epoch ms; the writer pool drives it with a timer.
 */
export class OpenSchedule {
  private anchorMs: number
  private index = 0
  private intervalMs: number

  constructor(startMs: number, ratePerSec: number) {
    this.anchorMs = startMs
    this.intervalMs = intervalFor(ratePerSec)
  }

  get ratePerSec(): number {
    return this.intervalMs === Infinity ? 0 : 1000 / this.intervalMs
  }

  /** Changes the rate from `atMs` on; the grid restarts there (the ramp's step boundary). */
  setRate(ratePerSec: number, atMs: number): void {
    this.anchorMs = atMs
    this.index = 0
    this.intervalMs = intervalFor(ratePerSec)
  }

  /** The next intended start (epoch ms); Infinity at rate 0. */
  peek(): number {
    if (this.intervalMs === Infinity) return Infinity
    return this.anchorMs + this.index * this.intervalMs
  }

  /** Takes every intended start up to `nowMs` (at most `max`, oldest first). */
  takeDue(nowMs: number, max = 10_000): number[] {
    const out: number[] = []
    while (out.length < max) {
      const t = this.peek()
      if (t > nowMs) break
      out.push(t)
      this.index++
    }
    return out
  }
}

function intervalFor(ratePerSec: number): number {
  if (!(ratePerSec > 0) || !Number.isFinite(ratePerSec)) return Infinity
  return 1000 / ratePerSec
}
