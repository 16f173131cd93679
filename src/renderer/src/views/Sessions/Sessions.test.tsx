// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ProfilerError } from '../../../../shared/errors'
import { createFakeApi } from '../../test/fake-api'
import {
  appInfo,
  appState,
  compareResult,
  criterion,
  sessionSummary,
  sessionView
} from '../../test/factories'
import { renderWithStore } from '../../test/render'
import { Sessions } from './Sessions'

vi.mock('../../charts/TimeSeriesChart', () => ({
  TimeSeriesChart: ({ spec, summary }: { spec: { title: string }; summary: string }) => (
    <figure aria-label={spec.title}>
      <figcaption>{summary}</figcaption>
    </figure>
  )
}))

afterEach(cleanup)

const A = sessionSummary({ dir: '/s/a', name: 'a', scenario: 'memory-stability' })
const B = sessionSummary({
  dir: '/s/b',
  name: 'b',
  scenario: 'memory-stability',
  status: 'failed',
  criteriaPassed: 0,
  criteriaFailed: 1
})

function api(list = [A, B]) {
  return createFakeApi({
    'app:info': () => appInfo(),
    'app:state': () => appState(),
    'sessions:list': () => list,
    'session:open': ({ dir }) =>
      sessionView({
        summary: dir === '/s/a' ? A : B,
        // B is a long recording the engine thinned for drawing.
        ...(dir === '/s/a' ? {} : { sampleCount: 288_000 }),
        verdicts: [criterion({ measured: dir === '/s/a' ? 4 : 12, pass: dir === '/s/a' })]
      }),
    'session:delete': () => ({}),
    'sessions:compare': () => compareResult()
  })
}

describe('Sessions', () => {
  it('lists runs with scenario, target, date and verdict', async () => {
    await renderWithStore(<Sessions />, api())
    const rows = await screen.findAllByRole('row')
    expect(rows).toHaveLength(3)
    expect(rows[2]!.textContent).toMatch(
      /memory-stability.*http:\/\/127\.0\.0\.1:8080.*failed 0 passed, 1 failed/
    )
  })

  it('says so when there is nothing recorded yet', async () => {
    await renderWithStore(<Sessions />, api([]))
    expect(await screen.findByText(/No recorded sessions yet/)).toBeTruthy()
  })

  it('opens a session in Investigation', async () => {
    const { store } = await renderWithStore(<Sessions />, api())
    await userEvent.click(await screen.findByRole('button', { name: 'Open a' }))
    expect(store.getSnapshot()).toMatchObject({ view: 'investigation', session: '/s/a' })
  })

  it('deletes only after confirmation', async () => {
    const fake = api()
    await renderWithStore(<Sessions />, fake)
    await userEvent.click(await screen.findByRole('button', { name: 'Delete a' }))
    const dialog = screen.getByRole('alertdialog')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }))
    expect(fake.calls.some(([n]) => n === 'session:delete')).toBe(false)
    await userEvent.click(screen.getByRole('button', { name: 'Delete a' }))
    await userEvent.click(screen.getByRole('button', { name: 'Delete session' }))
    await waitFor(() =>
      expect(fake.calls.find(([n]) => n === 'session:delete')?.[1]).toEqual({ dir: '/s/a' })
    )
  })

  it('compares two sessions: overlaid memory and criteria with the difference', async () => {
    await renderWithStore(<Sessions />, api())
    await userEvent.click(await screen.findByRole('checkbox', { name: 'Select a for comparison' }))
    const compare = screen.getByRole('button', { name: /Compare selected/ })
    expect(compare.hasAttribute('disabled')).toBe(true)
    await userEvent.click(screen.getByRole('checkbox', { name: 'Select b for comparison' }))
    await userEvent.click(compare)
    expect(await screen.findByRole('figure', { name: 'Memory, A against B' })).toBeTruthy()
    expect(screen.getByText('4 samples in A, 288,000 in B')).toBeTruthy()
    // The significance calls come from their own request; wait for them.
    expect(await screen.findByText('B regresses: RSS slope +4.0 MiB/min.')).toBeTruthy()
    const table = screen.getByRole('table', { name: 'Criteria, A against B' })
    expect(table.textContent).toMatch(/verdict differs/)
    expect(table.textContent).toMatch(/\+8\.0%/)
    expect(table.textContent).toMatch(/worse \(significant\)/)
    const metrics = screen.getByRole('table', { name: /with a significance call/ })
    expect(metrics.textContent).toMatch(
      /RSS slope.*1\.0 KiB\/min.*4\.0 MiB\/min.*\+409500\.0%.*worse \(significant\)/
    )
  })

  it('still compares criteria when the significance tests cannot run', async () => {
    const fake = api()
    fake.handle({
      'sessions:compare': () => {
        throw new Error('sessions of different scenarios cannot be compared')
      }
    })
    await renderWithStore(<Sessions />, fake)
    await userEvent.click(await screen.findByRole('checkbox', { name: 'Select a for comparison' }))
    await userEvent.click(screen.getByRole('checkbox', { name: 'Select b for comparison' }))
    await userEvent.click(screen.getByRole('button', { name: /Compare selected/ }))
    expect(
      await screen.findByText(/No significance calls: sessions of different scenarios/)
    ).toBeTruthy()
    expect(screen.getByRole('table', { name: 'Criteria, A against B' })).toBeTruthy()
  })
})

describe('Sessions states', () => {
  it('shows that it is reading the sessions', async () => {
    const fake = api()
    fake.handle({ 'sessions:list': () => new Promise(() => undefined) })
    await renderWithStore(<Sessions />, fake)
    expect((await screen.findByText('Reading sessions…')).getAttribute('role')).toBe('status')
    expect(screen.queryByRole('table')).toBeNull()
  })

  it('reports a list that cannot be read, and lists once a refresh succeeds', async () => {
    const fake = api()
    fake.handle({
      'sessions:list': () => {
        throw new ProfilerError('PERMISSION_DENIED', 'permission denied: /s')
      }
    })
    await renderWithStore(<Sessions />, fake)
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Could not list sessions: permission denied: /s'
    )
    expect(screen.queryByText(/No recorded sessions yet/)).toBeNull()
    fake.handle({ 'sessions:list': () => [A, B] })
    await userEvent.click(screen.getByRole('button', { name: 'Refresh sessions' }))
    expect(await screen.findByRole('button', { name: 'Open a' })).toBeTruthy()
    expect(screen.queryByRole('alert')).toBeNull()
  })

  it('reports a delete that failed and keeps the session listed', async () => {
    const fake = api()
    fake.handle({
      'session:delete': () => {
        throw new ProfilerError('SESSION_INVALID', '/s/a is not in a sessions folder')
      }
    })
    await renderWithStore(<Sessions />, fake)
    await userEvent.click(await screen.findByRole('button', { name: 'Delete a' }))
    await userEvent.click(screen.getByRole('button', { name: 'Delete session' }))
    expect((await screen.findByRole('alert')).textContent).toBe('/s/a is not in a sessions folder')
    expect(screen.getByRole('button', { name: 'Open a' })).toBeTruthy()
  })
})
