/**
 * The HTTP side of the client: one keep-alive pool with a bounded number of sockets, so a
 * workload of thousands of SQL requests per second reuses a few TCP connections instead of
 * opening one per request (which would itself show up in the server's socket and memory
 * figures).
 *
 * The pool is undici's (npm `undici`), driven through its low-level `dispatch` with one
 * handler object per request: the load generator's CPU is a measured figure here (the
 * workload must not be slower than autocannon on the same endpoint), and Node's `http`
 * client costs about twice undici's per request (ClientRequest and IncomingMessage
 * streams, header objects, an agent lookup, two socket writes). Per request this module
 * makes one handler, one Promise and the answer's text: no timer (deadlines share one timer
 * per timeout value, see Deadlines), no closure per request, and one abort listener per
 * signal rather than per request (workers share one signal).
 */
import { performance } from 'node:perf_hooks'
import { Pool, type Dispatcher } from 'undici'
import { KalamClientError, networkError } from './errors'
import { parseJsonExact } from './json'

export const DEFAULT_MAX_SOCKETS = 16
export const DEFAULT_TIMEOUT_MS = 30_000

export interface HttpRequest {
  method: 'GET' | 'POST'
  path: string
  /** Serialized as JSON with Content-Type application/json. */
  body?: unknown
  bearer?: string
  /** From the call to the whole answer, waiting for a free socket included. */
  timeoutMs?: number
  signal?: AbortSignal
  /** Names the request in error messages ("SQL", "login" …). */
  context: string
}

export interface HttpResponse {
  status: number
  contentType: string
  text: string
  /** Client-side round trip. */
  elapsedMs: number
}

export interface HttpPoolOptions {
  maxSockets?: number
  timeoutMs?: number
}

const GET_HEADERS = ['accept', 'application/json']
const POST_HEADERS = ['accept', 'application/json', 'content-type', 'application/json']

export class HttpPool {
  readonly baseUrl: string
  private readonly pool: Pool
  private readonly timeoutMs: number
  private readonly deadlines = new Map<number, Deadlines>()
  private readonly watches = new Map<AbortSignal, SignalWatch>()
  /** Header arrays of the last bearer token (it changes only on renewal). */
  private bearer: string | null = null
  private bearerHeaders: { GET: string[]; POST: string[] } | null = null
  /** Answers received so far: see Exchange.droppedIdle. */
  answers = 0
  private closed = false

  constructor(baseUrl: string, options: HttpPoolOptions = {}) {
    const u = new URL(baseUrl)
    this.baseUrl = u.origin
    this.pool = new Pool(u.origin, {
      connections: options.maxSockets ?? DEFAULT_MAX_SOCKETS,
      pipelining: 1,
      // Our own deadline covers the whole exchange, queueing for a socket included.
      headersTimeout: 0,
      bodyTimeout: 0
    })
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  }

  request(req: HttpRequest): Promise<HttpResponse> {
    return this.exchange(req, answerAsIs)
  }

  /**
   * The request, and `read` applied to its answer in the same step: a caller that parses
   * the answer anyway saves a Promise per request. Any failure (no answer, or what `read`
   * throws) goes to `recover` when given, whose value or throw settles the Promise instead:
   * one Promise per request for callers that turn failures into outcomes.
   */
  exchange<T>(
    req: HttpRequest,
    read: (res: HttpResponse) => T | Promise<T>,
    recover?: (e: unknown) => T | Promise<T>
  ): Promise<T> {
    if (this.closed || req.signal?.aborted) {
      const e = this.closed ? closedError(req.context) : cancelledError(req.context)
      if (!recover) return Promise.reject(e)
      return new Promise<T>((resolve) => resolve(recover(e)))
    }
    return new Promise<T>((resolve, reject) => {
      const ms = req.timeoutMs ?? this.timeoutMs
      let d = this.deadlines.get(ms)
      if (!d) this.deadlines.set(ms, (d = new Deadlines(ms)))
      const x = new Exchange(
        this,
        req,
        this.dispatchOptions(req),
        d,
        read,
        recover,
        resolve,
        reject
      )
      d.add(x)
      if (req.signal) x.watch = this.watch(req.signal, x)
      this.pool.dispatch(x.options, x)
    })
  }

  /** @internal Sends an exchange again (see Exchange.droppedIdle). */
  resend(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): void {
    this.pool.dispatch(options, handler)
  }

  private dispatchOptions(req: HttpRequest): Dispatcher.DispatchOptions {
    const post = req.body !== undefined
    let headers = post ? POST_HEADERS : GET_HEADERS
    if (req.bearer !== undefined) {
      if (req.bearer !== this.bearer || !this.bearerHeaders) {
        const auth = ['authorization', `Bearer ${req.bearer}`]
        this.bearer = req.bearer
        this.bearerHeaders = { GET: [...GET_HEADERS, ...auth], POST: [...POST_HEADERS, ...auth] }
      }
      headers = post ? this.bearerHeaders.POST : this.bearerHeaders.GET
    }
    return {
      method: req.method,
      path: req.path,
      headers,
      ...(post ? { body: JSON.stringify(req.body) } : {})
    }
  }

  private watch(signal: AbortSignal, x: Pending): SignalWatch {
    let w = this.watches.get(signal)
    if (!w) {
      w = new SignalWatch(signal, () => this.watches.delete(signal))
      this.watches.set(signal, w)
    }
    w.add(x)
    return w
  }

  /** Drops every pooled socket; requests in flight and later ones fail with CANCELLED. */
  close(): void {
    if (this.closed) return
    this.closed = true
    for (const d of this.deadlines.values()) d.close()
    for (const w of this.watches.values()) w.close()
    this.pool.destroy().catch(() => {})
  }
}

function answerAsIs(res: HttpResponse): HttpResponse {
  return res
}

function closedError(context: string): KalamClientError {
  return new KalamClientError('CANCELLED', `${context}: client is closed`)
}

function cancelledError(context: string): KalamClientError {
  return new KalamClientError('CANCELLED', `${context}: cancelled`)
}

/** What the deadline queue and a signal's watch need of a request in flight. @internal */
interface Pending {
  readonly settled: boolean
  readonly deadline: number
  timeOut(): void
  cancel(): void
}

/**
 * One request and its answer: undici's handler (its methods are called by the pool), the
 * Promise's settle functions, and its places in the deadline queue and the signal's watch.
 * It implements undici 7's own handler methods (onConnect … onComplete): the newer
 * controller-style ones are adapted to these per request, with a parsed header object we
 * would not read (content-type is looked up only when an answer is not JSON).
 * @internal
 */
class Exchange<T> implements Dispatcher.DispatchHandler, Pending {
  readonly started = performance.now()
  readonly deadline: number
  watch: SignalWatch | null = null
  settled = false
  private abort: ((err?: Error) => void) | null = null
  /** Set when we gave up before undici started the request: it aborts on start. */
  private failure: KalamClientError | null = null
  /** A byte of the answer arrived: resending is no longer safe. */
  private answered = false
  private retried = false
  private status = 0
  private rawHeaders: Buffer[] | null = null
  private chunks: Buffer[] = []

  constructor(
    private readonly pool: HttpPool,
    private readonly req: HttpRequest,
    readonly options: Dispatcher.DispatchOptions,
    private readonly deadlines: Deadlines,
    private readonly read: (res: HttpResponse) => T | Promise<T>,
    private readonly recover: ((e: unknown) => T | Promise<T>) | undefined,
    private readonly resolve: (value: T | Promise<T>) => void,
    private readonly reject: (e: unknown) => void
  ) {
    this.deadline = this.started + deadlines.ms
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.settled) {
      abort(this.failure ?? cancelledError(this.req.context))
      return
    }
    this.abort = abort
  }

  onResponseStarted(): void {
    this.answered = true
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    this.answered = true
    this.status = statusCode
    this.rawHeaders = rawHeaders
    // An interim 1xx answer is followed by the real one: keep only the last body.
    this.chunks.length = 0
    return true
  }

  onData(chunk: Buffer): boolean {
    this.chunks.push(chunk)
    return true
  }

  onComplete(): void {
    if (this.settled) return
    const c = this.chunks
    const text =
      c.length === 0
        ? ''
        : c.length === 1
          ? c[0]!.toString('utf8')
          : Buffer.concat(c).toString('utf8')
    this.pool.answers++
    this.done()
    let value: T | Promise<T>
    try {
      value = this.read(
        new Answer(this.status, this.rawHeaders, text, performance.now() - this.started)
      )
    } catch (e) {
      this.settleError(e)
      return
    }
    this.resolve(value)
  }

  onError(err: Error): void {
    if (this.settled) return
    if (!this.retried && !this.answered && this.droppedIdle(err)) {
      // The server closed an idle pooled socket just as we reused it: the request never
      // reached it, so sending it again on a fresh socket is safe (once).
      this.retried = true
      this.abort = null
      this.chunks.length = 0
      this.pool.resend(this.options, this)
      return
    }
    this.done()
    const code = (err as { code?: string }).code
    this.settleError(
      code === 'UND_ERR_DESTROYED' || code === 'UND_ERR_CLOSED'
        ? closedError(this.req.context)
        : networkError(err, this.pool.baseUrl, this.req.context)
    )
  }

  /** A failure goes to `recover` when there is one: its value (or throw) settles. */
  private settleError(e: unknown): void {
    if (!this.recover) {
      this.reject(e)
      return
    }
    let value: T | Promise<T>
    try {
      value = this.recover(e)
    } catch (thrown) {
      this.reject(thrown)
      return
    }
    this.resolve(value)
  }

  /**
   * A connection closed before any byte of our answer, on a socket that had carried earlier
   * exchanges. undici's SocketError tells how much was read on that socket; a bare reset
   * does not, and counts as reused once the pool has had any answer.
   */
  private droppedIdle(err: Error): boolean {
    const e = err as { code?: string; socket?: { bytesRead?: number } }
    if (e.code === 'UND_ERR_SOCKET') return (e.socket?.bytesRead ?? 0) > 0
    return (e.code === 'ECONNRESET' || e.code === 'EPIPE') && this.pool.answers > 0
  }

  /** Gives up (deadline, abort): settles now; undici drops the request and its socket. */
  fail(error: KalamClientError): void {
    if (this.settled) return
    this.failure = error
    this.done()
    this.settleError(error)
    this.abort?.(error)
  }

  timeOut(): void {
    this.fail(
      new KalamClientError(
        'TIMEOUT',
        `${this.req.context}: no answer from ${this.pool.baseUrl} within ${this.deadlines.ms} ms`
      )
    )
  }

  cancel(): void {
    this.fail(cancelledError(this.req.context))
  }

  private done(): void {
    this.settled = true
    this.chunks = []
    this.watch?.remove(this)
    this.deadlines.trim()
  }
}

/** An answer; its content type is read from the raw headers only when asked. @internal */
class Answer implements HttpResponse {
  private type: string | null = null

  constructor(
    readonly status: number,
    private readonly rawHeaders: Buffer[] | null,
    readonly text: string,
    readonly elapsedMs: number
  ) {}

  get contentType(): string {
    if (this.type === null) {
      this.type = ''
      const raw = this.rawHeaders ?? []
      for (let i = 0; i + 1 < raw.length; i += 2) {
        if (raw[i]!.toString('latin1').toLowerCase() === 'content-type') {
          this.type = raw[i + 1]!.toString('latin1')
          break
        }
      }
    }
    return this.type
  }
}

/**
 * The deadlines of every request with the same timeout, in one queue under one timer.
 * Requests start in time order, so their deadlines are in queue order: the timer is set for
 * the oldest unsettled one, and answered requests leave from the front (answers come back
 * roughly in order, so the queue holds about the requests in flight).
 * @internal
 */
class Deadlines {
  private items: Pending[] = []
  private head = 0
  private timer: NodeJS.Timeout | null = null

  constructor(readonly ms: number) {}

  add(x: Pending): void {
    this.items.push(x)
    // A timer already set is for an older deadline, which comes first: it re-arms then.
    if (!this.timer) this.arm(x.deadline)
  }

  /** Drops settled exchanges from the front. */
  trim(): void {
    const items = this.items
    while (this.head < items.length && items[this.head]!.settled) this.head++
    if (this.head === items.length) {
      items.length = 0
      this.head = 0
    } else if (this.head > 1024 && this.head * 2 > items.length) {
      items.splice(0, this.head)
      this.head = 0
    }
  }

  private readonly fire = (): void => {
    this.timer = null
    const now = performance.now()
    const items = this.items
    while (this.head < items.length) {
      const x = items[this.head]!
      if (!x.settled && x.deadline > now) break
      this.head++
      if (!x.settled) x.timeOut()
    }
    this.trim()
    if (this.head < items.length) this.arm(items[this.head]!.deadline)
  }

  private arm(at: number): void {
    // Unref'd: a request in flight keeps the process alive through its socket.
    this.timer = setTimeout(this.fire, Math.max(0, at - performance.now()))
    this.timer.unref()
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.items = []
    this.head = 0
  }
}

/** The exchanges in flight under one AbortSignal, behind one listener. @internal */
class SignalWatch {
  private readonly members = new Set<Pending>()

  constructor(
    private readonly signal: AbortSignal,
    private readonly onEmpty: () => void
  ) {
    signal.addEventListener('abort', this.onAbort, { once: true })
  }

  add(x: Pending): void {
    this.members.add(x)
  }

  remove(x: Pending): void {
    this.members.delete(x)
    if (this.members.size === 0) this.close()
  }

  private readonly onAbort = (): void => {
    for (const x of [...this.members]) x.cancel()
  }

  close(): void {
    this.signal.removeEventListener('abort', this.onAbort)
    this.onEmpty()
  }
}

/**
 * The JSON body of an answer. Malformed JSON is a PROTOCOL error when the server said it
 * was JSON (or answered 2xx); anything else that is not JSON means the URL is not KalamDB
 * (an HTML 404, a proxy's error page).
 */
export function parseBody(res: HttpResponse, context: string, url: string): unknown {
  try {
    return parseJsonExact(res.text)
  } catch (e) {
    const claimsJson = res.contentType.includes('json')
    const snippet = res.text.slice(0, 60).replace(/\s+/g, ' ')
    if (claimsJson || (res.status >= 200 && res.status < 300)) {
      throw new KalamClientError(
        'PROTOCOL',
        `${context}: the server at ${url} sent malformed JSON (HTTP ${res.status}: "${snippet}")`,
        { httpStatus: res.status, cause: e }
      )
    }
    throw notKalamDb(res, context, url)
  }
}

export function notKalamDb(res: HttpResponse, context: string, url: string): KalamClientError {
  const type = res.contentType ? `, ${res.contentType.split(';')[0]}` : ''
  return new KalamClientError(
    'NOT_KALAMDB',
    `${context}: ${url} answered, but not like KalamDB (HTTP ${res.status}${type})`,
    {
      httpStatus: res.status,
      hint: 'check the port: KalamDB serves /health and /v1/api/* (default 8080); `kalam-profiler targets` lists local servers'
    }
  )
}
