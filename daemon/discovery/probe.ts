import { Advert } from '../../shared/index.js'

/** Asks a neighbour for its current advert; null when it does not answer in time or answers nonsense. */
export async function probeAdvert(host: string, port: number, timeoutMs = 1000): Promise<Advert | null> {
  const h = host.includes(':') ? `[${host}]` : host
  try {
    const res = await fetch(`http://${h}:${port}/peer/v1/advert`, { signal: AbortSignal.timeout(timeoutMs) })
    if (!res.ok) return null
    const parsed = Advert.safeParse(await res.json())
    return parsed.success ? parsed.data : null
  } catch {
    // Unreachable, refused, timed out: all mean "not alive now", which is what the caller asks.
    return null
  }
}
