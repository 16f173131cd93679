/** Resolves with what `get` returns once it is not undefined; rejects after `timeoutMs`. */
export function until<T>(what: string, get: () => T | undefined, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now()
    const tick = (): void => {
      const v = get()
      if (v !== undefined) return resolve(v)
      if (Date.now() - started > timeoutMs)
        return reject(new Error(`timed out waiting for ${what}`))
      setTimeout(tick, 20)
    }
    tick()
  })
}
