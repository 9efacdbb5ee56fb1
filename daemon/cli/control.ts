/**
 * The CLI's line to a running daemon: HTTP over the unix socket in its data folder (mode 0600,
 * so only this user reaches it). Tells "nobody listens there" (no socket file, or refused:
 * no daemon serves this folder) apart from "a daemon is there but did not answer".
 */
import { request } from 'node:http'

export type ControlAnswer<T> =
  | { kind: 'answered'; status: number; body: T }
  /** No socket, or nobody accepts on it: no daemon serves this data folder. */
  | { kind: 'absent' }
  /** Something accepted the connection but did not answer in time. */
  | { kind: 'silent' }

const NOBODY_THERE = new Set(['ENOENT', 'ECONNREFUSED', 'ENOTSOCK'])

export function askDaemon<T>(socket: string, method: 'GET' | 'POST', path: string, timeoutMs = 5000): Promise<ControlAnswer<T>> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, method, path, headers: { host: 'localhost' }, timeout: timeoutMs }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => {
        try {
          resolve({ kind: 'answered', status: res.statusCode ?? 0, body: JSON.parse(body) as T })
        } catch (err) {
          reject(new Error(`The daemon at ${socket} answered ${path} with something that is not JSON.`, { cause: err }))
        }
      })
    })
    req.on('timeout', () => {
      req.destroy()
      resolve({ kind: 'silent' })
    })
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code && NOBODY_THERE.has(err.code)) resolve({ kind: 'absent' })
      else reject(new Error(`Could not reach the daemon at ${socket}: ${err.message}`, { cause: err }))
    })
    req.end()
  })
}

/** GET a JSON document, or fail with what to do when no daemon answers. */
export async function getJson<T>(socket: string, path: string): Promise<T> {
  const answer = await askDaemon<T>(socket, 'GET', path)
  if (answer.kind === 'answered') return answer.body
  throw new Error(
    answer.kind === 'absent'
      ? `No SO-CHAT daemon answers at ${socket}. Is it running (sochat start)?`
      : `The daemon at ${socket} did not answer within 5 s.`,
  )
}
