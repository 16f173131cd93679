// @vitest-environment jsdom
import { cleanup, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it } from 'vitest'
import { createFakeApi } from '../../test/fake-api'
import { appInfo, appState, attachment, target } from '../../test/factories'
import { renderWithStore } from '../../test/render'
import { Targets } from './Targets'

afterEach(cleanup)

function api(targets = [target()]) {
  return createFakeApi({
    'app:info': () => appInfo(),
    'app:state': () => appState(),
    'live:history': () => ({ samples: [], events: [] }),
    'targets:list': () => targets
  })
}

describe('Targets', () => {
  it('lists discovered servers with pid, ports, version and RSS (units included)', async () => {
    await renderWithStore(<Targets />, api())
    expect(await screen.findByRole('cell', { name: 'kalamdb-server' })).toBeTruthy()
    expect(screen.getByRole('cell', { name: '8080, 9090' })).toBeTruthy()
    expect(screen.getByRole('cell', { name: '512.0 MiB' })).toBeTruthy()
  })

  it('offers the simulator prominently when nothing is found, and starts it', async () => {
    const fake = api([])
    fake.handle({
      'sim:start': () => ({
        simulator: { url: 'http://127.0.0.1:5000', pid: 77 },
        attachment: attachment({ pid: 77, simulator: true })
      })
    })
    await renderWithStore(<Targets />, fake)
    expect(await screen.findByText('No KalamDB server found on this machine.')).toBeTruthy()
    await userEvent.click(screen.getByRole('button', { name: 'Start built-in simulator' }))
    await waitFor(() => expect(fake.calls.some(([n]) => n === 'sim:start')).toBe(true))
  })

  it('fills the form from a picked process and attaches with the typed credentials', async () => {
    const fake = api()
    fake.handle({ 'target:attach': () => attachment() })
    await renderWithStore(<Targets />, fake)
    await userEvent.click(await screen.findByRole('button', { name: 'Use pid 4242' }))
    expect((screen.getByLabelText('PID') as HTMLInputElement).value).toBe('4242')
    await userEvent.type(screen.getByLabelText('User'), 'admin')
    await userEvent.type(screen.getByLabelText('Password'), 's3cret')
    await userEvent.click(screen.getByRole('button', { name: 'Attach' }))
    await waitFor(() =>
      expect(fake.calls.find(([n]) => n === 'target:attach')?.[1]).toEqual({
        pid: 4242,
        url: 'http://127.0.0.1:8080',
        credentials: { user: 'admin', password: 's3cret' }
      })
    )
    await waitFor(() =>
      expect((screen.getByLabelText('Password') as HTMLInputElement).value).toBe('')
    )
  })

  it('shows what to fix instead of calling the engine, and the engine’s error with its hint', async () => {
    const fake = api()
    fake.handle({
      'target:attach': () => {
        throw Object.assign(new Error('wrong user or password'), { code: 'AUTH_FAILED' })
      }
    })
    await renderWithStore(<Targets />, fake)
    await userEvent.click(await screen.findByRole('button', { name: 'Attach' }))
    expect((await screen.findByRole('alert')).textContent).toBe('Give a PID, a server URL, or both')
    expect(fake.calls.some(([n]) => n === 'target:attach')).toBe(false)
    await userEvent.type(screen.getByLabelText('PID'), '4242')
    await userEvent.click(screen.getByRole('button', { name: 'Attach' }))
    expect((await screen.findByRole('alert')).textContent).toContain('wrong user or password')
  })

  it('shows the attachment and detaches', async () => {
    const fake = api()
    fake.handle({
      'app:state': () => appState({ attachment: attachment() }),
      'target:detach': () => ({})
    })
    await renderWithStore(<Targets />, fake)
    expect(screen.getByLabelText('Attached target').textContent).toMatch(
      /pid 4242 · http:\/\/127\.0\.0\.1:8080 · version 0\.4\.3 · signed in as admin/
    )
    await userEvent.click(screen.getByRole('button', { name: 'Detach' }))
    await waitFor(() => expect(fake.calls.some(([n]) => n === 'target:detach')).toBe(true))
  })

  it('says so when the process list cannot be read', async () => {
    const fake = api()
    fake.handle({
      'targets:list': () => {
        throw new Error('permission denied')
      }
    })
    await renderWithStore(<Targets />, fake)
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Could not list processes: permission denied'
    )
  })
})
