/**
 * Refusals on the peer port, logged so a person can see who knocked (with the machine's
 * fingerprint when it showed one) without a page retrying in a loop filling the log: a
 * warning the first time per address and code, then debug.
 */
import type { Logger } from 'pino'

/** Addresses already warned about; bounded so a sweep of addresses cannot grow it for ever. */
const WARNED_LIMIT = 256

export interface Refused {
  remote: string
  code: string
  why: string
  peer?: string
  method?: string | undefined
  url?: string | undefined
  host?: string | undefined
  origin?: string | undefined
}

export class RefusalLog {
  readonly #warned = new Set<string>()

  constructor(private readonly log: Logger) {}

  note(refused: Refused): void {
    const fields = {
      ...refused,
      url: refused.url?.slice(0, 200),
      host: refused.host?.slice(0, 100),
      origin: refused.origin?.slice(0, 100),
    }
    const key = `${refused.remote} ${refused.code} ${refused.peer ?? ''}`
    if (this.#warned.has(key)) return this.log.debug(fields, `refused on the peer port: ${refused.why}`)
    if (this.#warned.size >= WARNED_LIMIT) this.#warned.clear()
    this.#warned.add(key)
    this.log.warn(fields, `refused on the peer port: ${refused.why}`)
  }
}
