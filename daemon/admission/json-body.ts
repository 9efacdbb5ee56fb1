import type { IncomingMessage, ServerResponse } from 'node:http'

/** A small JSON request body, or null when it is too long or not JSON (the caller's schema says what was wrong). */
export async function readJson(req: IncomingMessage, limit = 4096): Promise<unknown> {
  let text = ''
  for await (const chunk of req) {
    text += chunk
    if (text.length > limit) return null
  }
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}

/** A JSON answer on the peer port, never cached. */
export function replyJson(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
  res.end(JSON.stringify(body))
}
