/**
 * The fake KalamDB server of the target tests, and the client a test logs in to it with, held
 * in one slot per test file and closed after every test (vitest's afterEach), so no test
 * leaves a server listening or a client polling.
 */
import { afterEach } from 'vitest'
import { connectKalam } from '../../src/main/target/client'
import type { KalamClient } from '../../src/main/target/types'
import { startFake, type FakeKalam, type FakeHandler } from '../fixtures/kalamdb/fake-server'

export interface FakeKalamSlot {
  fake: FakeKalam | null
  client: KalamClient | null
}

/** A slot whose fake and client are closed after each test of the file that calls this. */
export function fakeKalamSlot(): FakeKalamSlot {
  const slot: FakeKalamSlot = { fake: null, client: null }
  afterEach(async () => {
    await slot.client?.close()
    slot.client = null
    await slot.fake?.close()
    slot.fake = null
  })
  return slot
}

/** Starts a fake with `routes` and logs a client in to it as `credentials`, both in `slot`. */
export async function connectToFake(
  slot: FakeKalamSlot,
  routes: Record<string, FakeHandler> = {},
  credentials: { user: string; password: string } = { user: 'admin', password: 'x' }
): Promise<KalamClient> {
  slot.fake = await startFake(routes)
  slot.client = await connectKalam({ url: slot.fake.url, credentials })
  return slot.client
}
