/**
 * Dials a relay and starts following it. Resolves with the follower once the relay welcomed us.
 * `onRefused` hears every refusal of this relay, its welcome's too (before this resolves).
 */
import type { Logger } from 'pino'
import type { ErrorCode } from '../../shared/index.js'
import { dial, type PeerTls } from '../link/index.js'
import { Follower, type FollowerIdentity, type Replica } from '../replica/index.js'

const WELCOME_TIMEOUT_MS = 5000

export async function follow(
  tls: PeerTls,
  relay: { host: string; port: number; nodeId: string },
  replica: Replica,
  me: FollowerIdentity,
  log: Logger,
  onRefused: (code: ErrorCode) => void = () => undefined,
): Promise<Follower> {
  const { host, port } = relay
  const conn = await dial(tls, host, port, relay.nodeId, log)
  const follower = new Follower(conn, replica, me, log.child({ relay: `${host}:${port}` }))
  follower.on('refused', (code) => onRefused(code))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      conn.close(1000, 'no welcome')
      reject(new Error(`The relay at ${host}:${port} did not welcome us within ${WELCOME_TIMEOUT_MS} ms.`))
    }, WELCOME_TIMEOUT_MS)
    follower.once('ready', () => {
      clearTimeout(timer)
      resolve()
    })
    follower.once('closed', (why) => {
      clearTimeout(timer)
      reject(new Error(`The relay at ${host}:${port} closed the link: ${why}`))
    })
    follower.start().catch(reject)
  })
  return follower
}
