import { describe, expect, it, vi } from 'vitest'
import { createApiClient, type ApiTransport } from './client'
import { ProfilerError } from './errors'

function transport(reply: unknown): ApiTransport & { calls: unknown[][] } {
  const calls: unknown[][] = []
  return {
    calls,
    call: async (name, payload) => {
      calls.push([name, payload])
      return reply
    },
    listen: () => () => undefined
  }
}

describe('client', () => {
  describe('call', () => {
    it('sends a validated request and returns the validated value', async () => {
      const t = transport({
        ok: true,
        value: {
          version: '1.2.3',
          transport: 'web',
          platform: 'linux',
          sessionsDir: '/s',
          sessionDirs: ['/s'],
          capabilities: { saveCredentials: false, saveDialog: false }
        }
      })
      const info = await createApiClient(t).call('app:info', {})
      expect(info.version).toBe('1.2.3')
      expect(t.calls).toEqual([['app:info', {}]])
    })

    it('refuses to send a request outside the schema', async () => {
      const t = transport({ ok: true, value: [] })
      // @ts-expect-error — deliberately wrong type
      await expect(createApiClient(t).call('targets:list', { all: 'yes' })).rejects.toMatchObject({
        code: 'BAD_INPUT'
      })
      expect(t.calls).toHaveLength(0)
    })

    it('turns an error result into a ProfilerError with code and hint', async () => {
      const t = transport({
        ok: false,
        error: { code: 'PID_NOT_FOUND', message: 'no process 42', hint: 'is it running?' }
      })
      const err = await createApiClient(t)
        .call('app:info', {})
        .catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ProfilerError)
      expect(err).toMatchObject({
        code: 'PID_NOT_FOUND',
        message: 'no process 42',
        hint: 'is it running?'
      })
    })

    it('rejects a reply that does not match the API', async () => {
      const t = transport({ ok: true, value: { version: 7 } })
      await expect(createApiClient(t).call('app:info', {})).rejects.toMatchObject({
        code: 'PROTOCOL'
      })
      await expect(
        createApiClient(transport('garbage')).call('app:info', {})
      ).rejects.toMatchObject({ code: 'PROTOCOL' })
    })

    it('maps an unknown error code to INTERNAL rather than trusting it', async () => {
      const t = transport({ ok: false, error: { code: 'EVIL', message: 'x' } })
      await expect(createApiClient(t).call('app:info', {})).rejects.toMatchObject({
        code: 'INTERNAL'
      })
    })
  })

  describe('on', () => {
    it('delivers valid events and drops malformed ones', () => {
      let deliver: (p: unknown) => void = () => undefined
      const t: ApiTransport = {
        call: async () => undefined,
        listen: (_name, h) => {
          deliver = h
          return () => undefined
        }
      }
      const handler = vi.fn()
      createApiClient(t).on('onReady', handler)
      deliver({ t: 5 })
      deliver({ t: 'five' })
      expect(handler).toHaveBeenCalledTimes(1)
      expect(handler).toHaveBeenCalledWith({ t: 5 })
    })
  })
})
