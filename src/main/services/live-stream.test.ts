import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { EventHub } from '../events'
import { LiveStream } from './live-stream'
import { fakeSample } from './test-engine'

describe('live-stream', () => {
  let events: EventHub
  let got: { samples: number[]; events: number }[]
  beforeEach(() => {
    vi.useFakeTimers()
    events = new EventHub()
    got = []
    events.listen('onSamples', (p) =>
      got.push({ samples: (p as { samples: { t: number }[] }).samples.map((s) => s.t), events: 0 })
    )
    events.listen('onEvents', (p) =>
      got.push({ samples: [], events: (p as { events: unknown[] }).events.length })
    )
  })
  afterEach(() => vi.useRealTimers())

  describe('LiveStream', () => {
    it('sends one batch per 250 ms whatever the sample rate', () => {
      const s = new LiveStream({ events })
      for (let t = 0; t < 25; t++) s.pushSample(fakeSample(t))
      expect(got).toEqual([])
      vi.advanceTimersByTime(250)
      expect(got).toHaveLength(1)
      expect(got[0]!.samples).toHaveLength(25)
      s.pushSample(fakeSample(100))
      vi.advanceTimersByTime(250)
      expect(got).toHaveLength(2)
    })

    it('drops what does not match the API instead of failing the batch', () => {
      const s = new LiveStream({ events })
      s.pushSample(fakeSample(1))
      s.pushSample({ ...fakeSample(2), rssBytes: 'a lot' as unknown as number })
      s.pushEvent({ t: 1, type: 'marker', label: 'x' })
      s.pushEvent({ t: 2, type: 'invented' } as never)
      s.flush()
      expect(got).toEqual([
        { samples: [1], events: 0 },
        { samples: [], events: 1 }
      ])
    })

    it('keeps at most the configured history, oldest dropped', () => {
      const s = new LiveStream({ events, historySamples: 10 })
      for (let t = 0; t < 30; t++) s.pushSample(fakeSample(t))
      expect(s.history().samples.map((x) => x.t)).toEqual([20, 21, 22, 23, 24, 25, 26, 27, 28, 29])
      s.clear()
      expect(s.history().samples).toEqual([])
      s.dispose()
    })
  })
})
