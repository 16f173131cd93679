/** The attach form as data, and its checks (pure). */
import type { CallRequest } from '../../../../shared/api'

export interface AttachForm {
  pid: string
  url: string
  auth: 'password' | 'token' | 'none'
  user: string
  password: string
  token: string
  remember: boolean
  setup: boolean
}

export const EMPTY_FORM: AttachForm = {
  pid: '',
  url: '',
  auth: 'password',
  user: '',
  password: '',
  token: '',
  remember: false,
  setup: false
}

export type AttachRequest = CallRequest<'target:attach'>

/** The request the form describes, or what to fix, in one line. */
export function attachRequest(form: AttachForm): { request: AttachRequest } | { error: string } {
  const request: AttachRequest = {}
  const pid = form.pid.trim()
  if (pid !== '') {
    if (!/^\d+$/.test(pid) || Number(pid) < 1)
      return { error: 'PID must be a positive whole number' }
    request.pid = Number(pid)
  }
  const url = form.url.trim()
  if (url !== '') {
    if (!/^https?:\/\/[^\s/]+/.test(url))
      return { error: 'URL must look like http://127.0.0.1:8080' }
    request.url = url.replace(/\/+$/, '')
  }
  if (request.pid === undefined && request.url === undefined)
    return { error: 'Give a PID, a server URL, or both' }
  if (form.auth === 'password' && (form.user !== '' || form.password !== '')) {
    if (form.user.trim() === '') return { error: 'Give the user name that goes with the password' }
    request.credentials = { user: form.user.trim(), password: form.password }
  } else if (form.auth === 'token' && form.token.trim() !== '') {
    request.credentials = { token: form.token.trim() }
  }
  if (form.remember && request.credentials) request.remember = true
  if (!request.credentials && request.url !== undefined) request.useSaved = true
  if (form.setup && request.credentials) request.setup = true
  return { request }
}
