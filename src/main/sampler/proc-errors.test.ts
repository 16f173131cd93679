import { describe, expect, it } from 'vitest'
import { parseGetconfNumber } from './sysconf'
import { isGoneError, procReadError } from './proc-errors'

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: failed`), { code })
}

describe('sampler/proc-errors', () => {
  describe('procReadError', () => {
    it('treats ENOENT and ESRCH as the process being gone (null)', () => {
      expect(procReadError(errno('ENOENT'), 7, 'status')).toBeNull()
      expect(procReadError(errno('ESRCH'), 7, 'status')).toBeNull()
      expect(isGoneError(errno('ESRCH'))).toBe(true)
    })

    it('says whose process it is when the owner is known', () => {
      const us = process.getuid!()
      expect(procReadError(errno('EACCES'), 7, 'fd', us + 1)!.message).toBe(
        `cannot read /proc/7/fd: permission denied (pid 7 belongs to uid ${us + 1}, the profiler runs as uid ${us})`
      )
      expect(procReadError(errno('EACCES'), 7, 'fd', us)!.message).toMatch(
        /pid 7 is ours but ptrace access to it is restricted/
      )
    })

    it("offers ptrace_scope only where it helps: for our own process, not another user's", () => {
      const us = process.getuid!()
      const other = procReadError(errno('EACCES'), 7, 'fd', us + 1)!
      expect(other.hint).toBe("run the profiler as the process's user (or root)")
      expect(procReadError(errno('EACCES'), 7, 'fd', us)!.hint).toMatch(/ptrace_scope=0/)
    })

    it('turns EACCES and EPERM into PERMISSION_DENIED naming the pid, the file and the fix', () => {
      for (const code of ['EACCES', 'EPERM']) {
        const e = procReadError(errno(code), 7, 'fd')!
        expect(e.code).toBe('PERMISSION_DENIED')
        expect(e.message).toBe(
          'cannot read /proc/7/fd: permission denied (pid 7 belongs to another user or ptrace is restricted)'
        )
        expect(e.hint).toMatch(/as the process's user \(or root\).*ptrace_scope/)
      }
    })

    it('reports anything else as INTERNAL with the file', () => {
      expect(procReadError(errno('EIO'), 7, 'stat')).toMatchObject({
        code: 'INTERNAL',
        message: 'reading /proc/7/stat failed: EIO: failed'
      })
    })
  })
})

describe('sampler/sysconf', () => {
  describe('parseGetconfNumber', () => {
    it('reads getconf output and rejects junk', () => {
      expect(parseGetconfNumber('100\n')).toBe(100)
      expect(parseGetconfNumber('250')).toBe(250)
      expect(parseGetconfNumber('')).toBeNull()
      expect(parseGetconfNumber('undefined')).toBeNull()
    })
  })
})
