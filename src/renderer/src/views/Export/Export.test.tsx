// @vitest-environment jsdom
import { cleanup, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ProfilerError } from '../../../../shared/errors'
import { createFakeApi } from '../../test/fake-api'
import { appInfo, appState, sessionSummary } from '../../test/factories'
import { renderWithStore } from '../../test/render'
import { Export } from './Export'
import { base64ToBytes } from './Export.utils'

afterEach(() => {
  cleanup()
  vi.restoreAllMocks()
})

function api() {
  return createFakeApi({
    'app:info': () => appInfo(),
    'app:state': () => appState(),
    'sessions:list': () => [sessionSummary()],
    'session:export': ({ format }) =>
      format === 'html'
        ? { kind: 'saved', path: '/home/me/report.html', bytes: 2048 }
        : {
            kind: 'download',
            filename: 'r.md',
            mimeType: 'text/markdown',
            base64: btoa('# Report')
          }
  })
}

describe('Export', () => {
  it('downloads the chosen format for the newest session', async () => {
    URL.createObjectURL = vi.fn(() => 'blob:x')
    URL.revokeObjectURL = vi.fn()
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined)
    const fake = api()
    await renderWithStore(<Export />, fake)
    await waitFor(() =>
      expect((screen.getByRole('combobox', { name: /Session/ }) as HTMLSelectElement).value).toBe(
        sessionSummary().dir
      )
    )
    await userEvent.click(screen.getByRole('button', { name: 'Export report' }))
    expect((await screen.findByRole('status')).textContent).toBe('Downloaded r.md (8 B).')
    expect(click).toHaveBeenCalled()
    expect(fake.calls.find(([n]) => n === 'session:export')?.[1]).toEqual({
      dir: sessionSummary().dir,
      format: 'md'
    })
  })

  it('reports where the desktop app saved the file', async () => {
    await renderWithStore(<Export />, api())
    await userEvent.click(await screen.findByRole('radio', { name: /^HTML / }))
    await waitFor(() =>
      expect(
        (screen.getByRole('combobox', { name: /Session/ }) as HTMLSelectElement).value
      ).not.toBe('')
    )
    await userEvent.click(screen.getByRole('button', { name: 'Export report' }))
    expect((await screen.findByRole('status')).textContent).toBe(
      'Saved /home/me/report.html (2.0 KiB).'
    )
  })

  it('offers every report format by name', async () => {
    await renderWithStore(<Export />, api())
    for (const name of ['Markdown', 'HTML', 'JSON', 'CSV', 'JUnit XML', 'PDF']) {
      expect(await screen.findByRole('radio', { name: new RegExp(`^${name} `) })).toBeTruthy()
    }
  })

  describe('base64ToBytes', () => {
    it('keeps binary bytes intact', () => {
      expect([...base64ToBytes(btoa('%PDF\u00ff'))]).toEqual([37, 80, 68, 70, 255])
    })
  })
})

describe('Export states', () => {
  it('says there is nothing to export when no session is recorded', async () => {
    const fake = api()
    fake.handle({ 'sessions:list': () => [] })
    await renderWithStore(<Export />, fake)
    expect(
      (await screen.findByText(/Nothing to export yet/)).closest('[role="status"]')
    ).toBeTruthy()
    expect(screen.queryByRole('button', { name: 'Export report' })).toBeNull()
  })

  it('reports a session list that cannot be read, without an empty form', async () => {
    const fake = api()
    fake.handle({
      'sessions:list': () => {
        throw new ProfilerError('PERMISSION_DENIED', 'permission denied: /s')
      }
    })
    await renderWithStore(<Export />, fake)
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Could not list sessions: permission denied: /s'
    )
    expect(screen.queryByRole('form', { name: 'Export a report' })).toBeNull()
  })

  it('reports a failed export and lets the user try again', async () => {
    const fake = api()
    fake.handle({
      'session:export': () => {
        throw new ProfilerError('SESSION_INVALID', 'samples.ndjson is unreadable')
      }
    })
    await renderWithStore(<Export />, fake)
    await waitFor(() =>
      expect(
        (screen.getByRole('combobox', { name: /Session/ }) as HTMLSelectElement).value
      ).not.toBe('')
    )
    await userEvent.click(screen.getByRole('button', { name: 'Export report' }))
    expect((await screen.findByRole('alert')).textContent).toBe('samples.ndjson is unreadable')
    expect(screen.queryByRole('status')).toBeNull()
    const button = screen.getByRole('button', { name: 'Export report' }) as HTMLButtonElement
    expect(button.disabled).toBe(false)
  })
})
