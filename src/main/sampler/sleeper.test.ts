import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { futexSleeper, futexStop, newStopFlag, timerSleeper } from './sleeper'

describe('sampler/sleeper', () => {
  describe('timerSleeper', () => {
    it('sleeps and says it was not stopped', async () => {
      const s = timerSleeper()
      const t0 = performance.now()
      expect(await s.sleep(30)).toBe(true)
      expect(performance.now() - t0).toBeGreaterThanOrEqual(25)
      expect(s.stopped).toBe(false)
    })

    it('ends a sleep at once when stopped, and every later one', async () => {
      const s = timerSleeper()
      const t0 = performance.now()
      const sleeping = s.sleep(10_000)
      setTimeout(() => s.stop(), 20)
      expect(await sleeping).toBe(false)
      expect(performance.now() - t0).toBeLessThan(5000)
      expect(s.stopped).toBe(true)
      expect(await s.sleep(10_000)).toBe(false)
    })
  })

  describe('futexSleeper', () => {
    it('sleeps on the flag and says it was not stopped', async () => {
      const s = futexSleeper(newStopFlag())
      const t0 = performance.now()
      expect(await s.sleep(30)).toBe(true)
      expect(performance.now() - t0).toBeGreaterThanOrEqual(25)
    })

    it('is woken at once by another thread setting the flag', async () => {
      const flag = newStopFlag()
      const s = futexSleeper(flag)
      // The other thread stops it 50 ms in; this thread is blocked in Atomics.wait meanwhile.
      const other = new Worker(
        `const { workerData } = require('node:worker_threads')
         setTimeout(() => {
           const flag = new Int32Array(workerData)
           Atomics.store(flag, 0, 1)
           Atomics.notify(flag, 0)
         }, 50)`,
        { eval: true, workerData: flag.buffer }
      )
      await new Promise((r) => other.once('online', r))
      const t0 = performance.now()
      expect(await s.sleep(10_000)).toBe(false)
      expect(performance.now() - t0).toBeLessThan(5000)
      expect(s.stopped).toBe(true)
      await other.terminate()
    })

    it('does not sleep once stopped', async () => {
      const flag = newStopFlag()
      futexStop(flag)
      const s = futexSleeper(flag)
      const t0 = performance.now()
      expect(await s.sleep(10_000)).toBe(false)
      expect(performance.now() - t0).toBeLessThan(5000)
    })
  })
})
