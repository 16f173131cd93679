// @vitest-environment jsdom
import { act, cleanup, configure, render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { App } from './App'
import { createFakeApi } from './test/fake-api'
import { appInfo, appState, attachment, T0 } from './test/factories'

vi.mock('./charts/TimeSeriesChart', () => ({
  TimeSeriesChart: ({ spec }: { spec: { title: string } }) => <figure aria-label={spec.title} />
}))

function api() {
  return createFakeApi({
    'app:info': () => appInfo(),
    'app:state': () => appState(),
    'live:history': () => ({ samples: [], events: [] }),
    'targets:list': () => [],
    'scenarios:list': () => [],
    'sessions:list': () => [],
    'snapshots:list': () => []
  })
}

configure({ asyncUtilTimeout: 5000 })
beforeEach(() => window.history.replaceState(null, '', '#'))
afterEach(cleanup)

describe('App', () => {
  it('reaches the six views by links named exactly as the views', async () => {
    render(<App api={api()} />)
    const nav = screen.getByRole('navigation', { name: 'Views' })
    const links = [...nav.querySelectorAll('a')].map((a) => a.textContent)
    expect(links).toEqual(['Targets', 'Live', 'Scenarios', 'Investigation', 'Sessions', 'Export'])
    for (const name of links) {
      await userEvent.click(screen.getByRole('link', { name: name! }))
      expect(screen.getByRole('heading', { level: 2 }).textContent).toBe(name)
      expect(screen.getByRole('link', { name: name! }).getAttribute('aria-current')).toBe('page')
    }
    expect(window.location.hash).toBe('#export')
  })

  it('switches views with Alt+1…6 and when the desktop menu asks', async () => {
    const fake = api()
    render(<App api={fake} />)
    await userEvent.keyboard('{Alt>}3{/Alt}')
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('Scenarios')
    act(() => fake.emit('onNavigate', { view: 'sessions' }))
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('Sessions')
  })

  it('starts on the view named in the address', () => {
    window.history.replaceState(null, '', '#investigation')
    render(<App api={api()} />)
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('Investigation')
  })

  it('shows what is attached, and a crash banner on every view', async () => {
    const fake = api()
    fake.handle({ 'app:state': () => appState({ attachment: attachment({ simulator: true }) }) })
    render(<App api={fake} />)
    await waitFor(() =>
      expect(screen.getByRole('status', { name: 'Target' }).textContent).toBe(
        'Attached: simulator (pid 4242)'
      )
    )
    act(() => fake.emit('onTargetCrashed', { pid: 4242, t: T0, message: 'process 4242 exited' }))
    expect(screen.getByRole('alert').textContent).toMatch(/^The target process \(pid 4242\) exited/)
    await userEvent.click(screen.getByRole('button', { name: 'Dismiss' }))
    expect(screen.queryByRole('alert')).toBeNull()
  })

  it('says when the engine cannot be reached, and retries', async () => {
    const fake = api()
    fake.handle({
      'app:info': () => {
        throw new Error('the profiler engine went away')
      }
    })
    render(<App api={fake} />)
    expect((await screen.findByRole('alert')).textContent).toMatch(
      /Cannot reach the profiler engine: the profiler engine went away/
    )
    fake.handle({ 'app:info': () => appInfo() })
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }))
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull())
  })
})
