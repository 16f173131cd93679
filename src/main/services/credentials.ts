/**
 * Saved credentials, encrypted by the platform (Electron's safeStorage: Keychain, DPAPI,
 * libsecret) and kept in one JSON file of ciphertexts keyed by server URL. The cipher is
 * injected so this file stays free of Electron; without a cipher nothing is ever saved
 * and credentials live only in the engine's memory.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { CredentialsInput } from '../../shared/api'
import { CredentialsSchema } from '../../shared/api'

export interface Cipher {
  /** False when the platform offers no real encryption (e.g. no keyring on Linux). */
  available(): boolean
  encrypt(plain: string): Buffer
  decrypt(cipher: Buffer): string
}

export interface CredentialStore {
  available(): boolean
  has(url: string): Promise<boolean>
  load(url: string): Promise<CredentialsInput | null>
  save(url: string, credentials: CredentialsInput): Promise<void>
  forget(url: string): Promise<void>
}

export function createFileCredentialStore(file: string, cipher: Cipher): CredentialStore {
  const readAll = async (): Promise<Record<string, string>> => {
    const text = await readFile(file, 'utf8').catch(() => '{}')
    try {
      const v = JSON.parse(text) as unknown
      return v && typeof v === 'object' ? (v as Record<string, string>) : {}
    } catch {
      return {}
    }
  }
  const writeAll = async (all: Record<string, string>): Promise<void> => {
    await mkdir(dirname(file), { recursive: true })
    const tmp = `${file}.tmp`
    await writeFile(tmp, JSON.stringify(all), { mode: 0o600 })
    await rename(tmp, file)
  }
  return {
    available: () => cipher.available(),
    async has(url) {
      return typeof (await readAll())[key(url)] === 'string'
    },
    async load(url) {
      if (!cipher.available()) return null
      const stored = (await readAll())[key(url)]
      if (typeof stored !== 'string') return null
      try {
        const parsed = CredentialsSchema.safeParse(
          JSON.parse(cipher.decrypt(Buffer.from(stored, 'base64')))
        )
        return parsed.success ? parsed.data : null
      } catch {
        return null
      }
    },
    async save(url, credentials) {
      // Never fall back to plain text: without encryption, nothing is written.
      if (!cipher.available()) return
      const all = await readAll()
      all[key(url)] = cipher.encrypt(JSON.stringify(credentials)).toString('base64')
      await writeAll(all)
    },
    async forget(url) {
      const all = await readAll()
      if (!(key(url) in all)) return
      delete all[key(url)]
      await writeAll(all)
    }
  }
}

/** One entry per server, whatever path or trailing slash the URL was typed with. */
function key(url: string): string {
  try {
    return new URL(url).origin
  } catch {
    return url
  }
}
