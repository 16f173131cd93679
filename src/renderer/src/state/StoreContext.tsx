/** React access to the AppStore: the snapshot, and the live series' version for charts. */
import { createContext, useContext, useSyncExternalStore } from 'react'
import type { AppStore, StoreSnapshot } from './store'

export const StoreContext = createContext<AppStore | null>(null)

export function useStore(): AppStore {
  const store = useContext(StoreContext)
  if (!store) throw new Error('useStore outside <StoreContext.Provider>')
  return store
}

export function useSnapshot(): StoreSnapshot {
  const store = useStore()
  return useSyncExternalStore(store.subscribe, store.getSnapshot)
}

/** Re-renders when the live series change (about four times a second while sampling). */
export function useLiveVersion(): number {
  const store = useStore()
  return useSyncExternalStore(store.subscribeLive, store.getLiveVersion)
}
