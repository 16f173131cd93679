// @vitest-environment jsdom
import { act, cleanup, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it } from 'vitest'
import { createFakeApi } from '../../test/fake-api'
import {
  appInfo,
  appState,
  attachment,
  criterion,
  progress,
  scenario,
  T0
} from '../../test/factories'
import { renderWithStore } from '../../test/render'
import { Scenarios } from './Scenarios'

afterEach(cleanup)

function api(state = appState({ attachment: attachment() })) {
  return createFakeApi({
    'app:info': () => appInfo(),
    'app:state': () => state,
    'live:history': () => ({ samples: [], events: [] }),
    'scenarios:list': () => [
      scenario(),
      scenario({ id: 'query-latency', seed: 'T225', title: 'Query performance' })
    ],
    'scenario:start': (r) => ({
      scenario: r.scenario,
      quick: r.quick,
      startedAt: T0,
      state: 'running',
      progress: null
    }),
    'scenario:stop': () => ({})
  })
}

describe('Scenarios', () => {
  it('shows each seed test with what it checks, its criteria and its defaults', async () => {
    await renderWithStore(<Scenarios />, api())
    const card = (await screen.findByRole('article', { name: /T220/ })).textContent!
    expect(card).toContain('Holds a constant insert rate')
    expect(card).toContain('RSS growth < 10%')
    expect(card).toContain('Defaults: Writers 10 count, Load phase 300 seconds.')
  })

  it('runs in quick mode with edited parameters in engine units', async () => {
    const fake = api()
    await renderWithStore(<Scenarios />, fake)
    const writers = (await screen.findAllByRole('spinbutton', { name: /Writers/ }))[0]!
    await userEvent.clear(writers)
    await userEvent.type(writers, '3')
    await userEvent.click(screen.getByRole('button', { name: 'Run T220' }))
    await waitFor(() =>
      expect(fake.calls.find(([n]) => n === 'scenario:start')?.[1]).toEqual({
        scenario: 'memory-stability',
        quick: true,
        overrides: { writers: 3 }
      })
    )
  })

  it('cannot run before a server is attached with credentials, and says why', async () => {
    await renderWithStore(
      <Scenarios />,
      api(appState({ attachment: attachment({ auth: 'none' }) }))
    )
    expect((await screen.findByRole('button', { name: 'Run T220' })).hasAttribute('disabled')).toBe(
      true
    )
    expect(screen.getByText(/Scenarios need a server URL and credentials/)).toBeTruthy()
  })

  it('shows progress with time left and criteria turning pass/fail, a crash banner, then the verdict', async () => {
    const fake = api()
    const running = appState({
      attachment: attachment(),
      run: {
        scenario: 'memory-stability',
        quick: true,
        startedAt: T0,
        state: 'running',
        progress: null
      }
    })
    const { store } = await renderWithStore(<Scenarios />, fake)
    await screen.findByRole('button', { name: 'Run T220' })
    act(() => fake.emit('onState', running))
    act(() =>
      fake.emit(
        'onRunProgress',
        progress({ criteria: [criterion({ pass: null, measured: null })] })
      )
    )
    const bar = screen.getByRole('progressbar', { name: 'Run progress' })
    expect(bar.getAttribute('aria-valuetext')).toBe('25%, 0:15 left')
    expect(screen.getByText(/Phase load · 0:05 of 0:20 · 0:15 left/)).toBeTruthy()
    const criteria = () => screen.getByRole('table', { name: /Criteria so far/ })
    expect(criteria().textContent).toMatch(/RSS growth< 10%not measurednot measured/)
    act(() =>
      fake.emit(
        'onRunProgress',
        progress({ elapsedMs: 10_000, criteria: [criterion({ pass: false, measured: 12 })] })
      )
    )
    expect(criteria().textContent).toMatch(/12\.0%failed/)
    expect(criteria().querySelector('caption')!.textContent).toBe(
      'Criteria so far: 0 passed, 1 failed'
    )
    act(() => fake.emit('onTargetCrashed', { pid: 4242, t: T0, message: 'process 4242 exited' }))
    expect(screen.getByRole('alert').textContent).toBe(
      'The target process (pid 4242) exited: process 4242 exited.'
    )
    await userEvent.click(screen.getByRole('button', { name: 'Stop run' }))
    expect(fake.calls.some(([n]) => n === 'scenario:stop')).toBe(true)
    const result = {
      dir: '/s/r1',
      scenario: 'memory-stability' as const,
      status: 'failed' as const,
      verdicts: [criterion({ pass: false })],
      exitCode: 1 as const
    }
    act(() => {
      fake.emit('onState', appState({ attachment: attachment() }))
      fake.emit('onVerdicts', { scenario: 'memory-stability', result, error: null })
    })
    expect(screen.getByText('Verdict: failed — 0 passed, 1 failed.')).toBeTruthy()
    await userEvent.click(screen.getByRole('button', { name: 'Open in Investigation' }))
    expect(store.getSnapshot()).toMatchObject({ view: 'investigation', session: '/s/r1' })
  })

  it('says why a run could not start', async () => {
    const fake = api()
    await renderWithStore(<Scenarios />, fake)
    await screen.findByRole('button', { name: 'Run T220' })
    act(() =>
      fake.emit('onVerdicts', {
        scenario: 'query-latency',
        result: null,
        error: { code: 'UNREACHABLE', message: 'nothing answers' }
      })
    )
    expect(screen.getByRole('alert').textContent).toBe(
      'T225 Query performance could not run: nothing answers'
    )
  })
})
