/** Renders a view inside the app's providers with a fake API and a started store. */
import { act, configure, render, type RenderResult } from '@testing-library/react'
import type { ReactNode } from 'react'
import type { ViewName } from '../../../shared/api'
import { ApiContext } from '../api'
import { AppStore } from '../state/store'
import { StoreContext } from '../state/StoreContext'
import type { FakeApi } from './fake-api'

// The suite runs on two busy cores next to simulators and Chromium: give async queries room.
configure({ asyncUtilTimeout: 5000 })

export async function renderWithStore(
  node: ReactNode,
  api: FakeApi,
  view: ViewName = 'targets'
): Promise<RenderResult & { store: AppStore }> {
  const store = new AppStore(api, view)
  let stop = (): void => undefined
  await act(async () => {
    stop = store.start()
    await store.refresh()
  })
  const r = render(
    <ApiContext.Provider value={api}>
      <StoreContext.Provider value={store}>{node}</StoreContext.Provider>
    </ApiContext.Provider>
  )
  const unmount = r.unmount
  return Object.assign(r, {
    store,
    unmount: () => {
      unmount()
      stop()
    }
  })
}
