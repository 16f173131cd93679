import { describe, expect, it } from 'vitest'
import { createFakeApi } from '../test/fake-api'
import { appInfo, appState, attachment, sample, T0 } from '../test/factories'
import { AppStore, viewFromHash } from './store'

describe('store', () => {
  describe('AppStore', () => {
    it('draws the history first and the batches that arrived meanwhile after it', async () => {
      let release: () => void = () => undefined
      const fake = createFakeApi({
        'app:info': () => appInfo(),
        'app:state': () => appState({ attachment: attachment() }),
        'live:history': () =>
          new Promise(
            (resolve) =>
              (release = () =>
                resolve({ samples: [sample({ t: T0 }), sample({ t: T0 + 1000 })], events: [] }))
          )
      })
      const store = new AppStore(fake)
      store.start()
      await store.refresh()
      fake.emit('onSamples', { samples: [sample({ t: T0 + 2000 })] })
      expect(store.live.series.rss).toHaveLength(0)
      release()
      await new Promise((r) => setTimeout(r, 0))
      expect(store.live.series.rss.map((p) => p.x)).toEqual([0, 1, 2])
    })

    it('restarts the series for a new run and keeps them when the run ends', async () => {
      const fake = createFakeApi({
        'app:info': () => appInfo(),
        'app:state': () => appState({ attachment: attachment() }),
        'live:history': () => ({ samples: [sample({ t: T0 })], events: [] })
      })
      const store = new AppStore(fake)
      store.start()
      await store.refresh()
      await new Promise((r) => setTimeout(r, 0))
      expect(store.live.series.rss).toHaveLength(1)
      const run = {
        scenario: 'memory-stability' as const,
        quick: true,
        startedAt: T0 + 5000,
        state: 'running' as const,
        progress: null
      }
      fake.emit('onState', appState({ attachment: attachment(), run }))
      expect(store.live.series.rss).toHaveLength(0)
      fake.emit('onSamples', { samples: [sample({ t: T0 + 6000 })] })
      fake.emit('onState', appState({ attachment: attachment() }))
      expect(store.live.series.rss).toHaveLength(1)
    })
  })

  describe('viewFromHash', () => {
    it('reads the view from the address, Targets otherwise', () => {
      expect(viewFromHash('#live')).toBe('live')
      expect(viewFromHash('#/sessions')).toBe('sessions')
      expect(viewFromHash('#nope')).toBe('targets')
    })
  })
})
