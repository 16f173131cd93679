import { describe, expect, it } from 'vitest'
import { json } from '../../../test/fixtures/kalamdb/fake-server'
import { connectToFake, fakeKalamSlot } from '../../../test/helpers/fake-kalam'
import type { KalamClient } from './types'

const kalam = fakeKalamSlot()

function messageEnvelope(message: string): string {
  return JSON.stringify({
    status: 'success',
    results: [{ row_count: 0, message, as_user: 'admin' }],
    took: 0.3
  })
}

function jobEnvelope(status: string, message: string | null): string {
  return JSON.stringify({
    status: 'success',
    results: [
      {
        schema: [
          { name: 'job_id', data_type: 'Text', index: 0, flags: ['pk', 'nn', 'uq'] },
          { name: 'status', data_type: 'Text', index: 1 },
          { name: 'message', data_type: 'Text', index: 2 }
        ],
        rows: [['FL-1a2b3c4d5e6f', status, message]],
        row_count: 1,
        as_user: 'admin'
      }
    ],
    took: 0.2,
    error: null
  })
}

/** A fake whose flush starts a job that goes through `statuses`, one per poll. */
async function flushing(start: string, statuses: string[]): Promise<KalamClient> {
  let poll = 0
  const client = await connectToFake(kalam, {
    'POST /v1/api/sql': (req) => {
      const sql = (JSON.parse(req.body) as { sql: string }).sql
      if (sql.startsWith('STORAGE FLUSH')) return json(messageEnvelope(start))
      const status = statuses[Math.min(poll++, statuses.length - 1)] as string
      if (status === '429') {
        return json(
          '{"status":"error","results":[],"took":0.01,"error":{"code":"RATE_LIMIT_EXCEEDED","message":"Too many queries per second. Please slow down."}}',
          429
        )
      }
      return json(jobEnvelope(status, status === 'failed' ? 'disk full' : null))
    }
  })
  return client
}

function sqlSent(): string[] {
  return kalam
    .fake!.requests.filter((r) => r.path === '/v1/api/sql')
    .map((r) => (JSON.parse(r.body) as { sql: string }).sql)
}

describe('flush', () => {
  describe('KalamClient.flushTable', () => {
    it('parses the job id and polls system.jobs to completed', async () => {
      const c = await flushing(
        "Storage flush started for table 'app.msgs'. Job ID: FL-1a2b3c4d5e6f",
        ['queued', 'running', '429', 'completed']
      )
      const outcome = await c.flushTable('app.msgs')
      expect(outcome).toMatchObject({ status: 'completed', jobId: 'FL-1a2b3c4d5e6f' })
      expect(outcome.durationMs).toBeGreaterThan(0)
      expect(sqlSent()[0]).toBe('STORAGE FLUSH TABLE app.msgs')
      expect(sqlSent()[1]).toBe(
        "SELECT job_id, status, message FROM system.jobs WHERE job_id = 'FL-1a2b3c4d5e6f'"
      )
      expect(sqlSent()).toHaveLength(5)
    })

    it('reports a failed job with its message', async () => {
      const c = await flushing(
        "Storage flush started for table 'app.msgs'. Job ID: FL-1a2b3c4d5e6f",
        ['failed']
      )
      expect(await c.flushTable('app.msgs')).toMatchObject({
        status: 'failed',
        message: 'disk full'
      })
    })

    it.each([
      "Storage flush skipped: no pending writes for table 'app.msgs'",
      "Storage flush skipped: a flush is already queued or running for table 'app.msgs'"
    ])('reports "%s" as skipped without polling', async (message) => {
      const c = await flushing(message, ['completed'])
      expect(await c.flushTable('app.msgs')).toMatchObject({
        status: 'skipped',
        jobId: null,
        message
      })
      expect(sqlSent()).toHaveLength(1)
    })

    it('gives up with status timeout when the job never ends', async () => {
      const c = await flushing(
        "Storage flush started for table 'app.msgs'. Job ID: FL-1a2b3c4d5e6f",
        ['running']
      )
      const outcome = await c.flushTable('app.msgs', { timeoutMs: 200 })
      expect(outcome).toMatchObject({ status: 'timeout', jobId: 'FL-1a2b3c4d5e6f' })
      expect(outcome.message).toMatch(/^job FL-1a2b3c4d5e6f still 'running' after \d+ ms$/)
    })

    it('rejects a table name that is not namespace.table', async () => {
      const c = await flushing('x', [])
      await expect(c.flushTable('msgs; DROP NAMESPACE app')).rejects.toMatchObject({
        code: 'BAD_INPUT'
      })
    })
  })
})
