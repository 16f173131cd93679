/**
 * How the sampling loop waits for its next tick, and how it is told to stop. Two kinds: a
 * timer on an event loop (any thread), and a futex wait for the sampler's worker thread,
 * which has nothing else to do between ticks.
 */

export interface Sleeper {
  /** Sleeps `ms`; resolves false when stopped before or meanwhile. */
  sleep(ms: number): Promise<boolean>
  /** Stops: a sleep in progress ends at once (false), and so does every later one. */
  stop(): void
  readonly stopped: boolean
}

/**
 * A timer per sleep and no listener added or removed per tick: at 10 Hz the sampler's own
 * bookkeeping costs as much as its reads, so a sleep is just a timer and a resolver.
 */
export function timerSleeper(): Sleeper {
  let stopped = false
  let timer: ReturnType<typeof setTimeout> | null = null
  let resume: ((awake: boolean) => void) | null = null
  const wakeUp = (awake: boolean): void => {
    const r = resume
    resume = null
    timer = null
    r?.(awake)
  }
  const onTimer = (): void => wakeUp(!stopped)
  return {
    sleep: (ms) =>
      new Promise((resolve) => {
        if (stopped) return resolve(false)
        resume = resolve
        timer = setTimeout(onTimer, ms)
      }),
    stop() {
      stopped = true
      if (timer !== null) clearTimeout(timer)
      wakeUp(false)
    },
    get stopped() {
      return stopped
    }
  }
}

/**
 * Sleeps in Atomics.wait on a shared flag (0 = run, 1 = stop): a futex wait, woken by the
 * kernel's timer or by whichever thread sets the flag (futexStop). Blocks the thread it runs
 * on, so it is only for a thread that has nothing else to do meanwhile — the sampler's worker.
 * On a 2-core VM a 10 Hz futex sleep costs about half of a 10 Hz event-loop timer.
 */
export function futexSleeper(flag: Int32Array): Sleeper {
  return {
    sleep(ms) {
      if (Atomics.load(flag, 0) === 0 && ms > 0) Atomics.wait(flag, 0, 0, ms)
      return Promise.resolve(Atomics.load(flag, 0) === 0)
    },
    stop: () => futexStop(flag),
    get stopped() {
      return Atomics.load(flag, 0) !== 0
    }
  }
}

/** Sets the flag a futexSleeper sleeps on and wakes it; safe from any thread. */
export function futexStop(flag: Int32Array): void {
  Atomics.store(flag, 0, 1)
  Atomics.notify(flag, 0)
}

/** A flag for futexSleeper, shareable with a worker. */
export function newStopFlag(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT))
}
