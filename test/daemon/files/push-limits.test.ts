/**
 * Who may push a file onto the relay (PUT /peer/v1/blobs/<sha256>): a machine linked to it,
 * within ten maximum-size files a day. A push from an address with no link is refused with
 * `not_linked` and nothing is stored; one to a daemon that is not the relay, with
 * `not_relay`; past the day's bytes, with `rate_limited` (which the sender keeps retrying,
 * its message waiting in its outbox). The legitimate path, a client's message with a file,
 * is test/daemon/http/files.test.ts.
 */
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { loadNetworkKey } from '../../../daemon/identity/index.js'
import { clientProof, machine, requestOn, tlsTo, type Machine } from '../../lib/peer-tls.js'
import { startPair } from '../http/local-daemon.js'

const root = t.testdir()
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

/**
 * A PUT from `localAddress`, as another machine's daemon would send it: over TLS with its own
 * certificate, proving the network key (a member that is not linked is still refused).
 */
async function put(port: number, bytes: Buffer, localAddress: string, as: Machine): Promise<{ status: number; code?: string }> {
  const socket = await tlsTo(port, as, { localAddress })
  try {
    const res = await requestOn(
      socket,
      'PUT',
      `/peer/v1/blobs/${sha(bytes)}`,
      { 'content-length': String(bytes.length), ...clientProof(as.key()!, socket) },
      bytes,
    ).catch((err: Error) => {
      // A refused push is answered before its body is read; the socket may close under the rest.
      if (err.message.includes('EPIPE') || err.message.includes('ECONNRESET')) return { status: 0, body: '' }
      throw err
    })
    return { status: res.status, code: res.body ? JSON.parse(res.body).error?.code : undefined }
  } finally {
    socket.destroy()
  }
}

t.test('pushes to the relay: only from a linked machine, and ten maximum-size files a day', async (t) => {
  const { relay, client } = await startPair(t, root, ['alice'], 'pair password', { maxFileMib: '1' })
  const relayPort = relay.status().peerPort
  const member = machine(await loadNetworkKey(join(root, 'relay')))
  t.ok(member.key(), 'the relay holds a network key')
  const stored = (b: Buffer) => existsSync(join(root, 'relay', 'blobs', 'sha256', sha(b).slice(0, 2), sha(b)))

  const stray = randomBytes(1000)
  t.same(await put(relayPort, stray, '127.0.0.77', member), { status: 403, code: 'not_linked' }, 'from an address with no link: refused')
  t.notOk(stored(stray), 'and not stored')

  t.same(
    await put(client.status().peerPort, stray, '127.0.0.1', member),
    { status: 409, code: 'not_relay' },
    'to a daemon that is not the relay: refused',
  )
  t.notOk(existsSync(join(root, 'client', 'blobs', 'sha256', sha(stray).slice(0, 2), sha(stray))), 'and not stored there')

  // The client daemon links from 127.0.0.1: from there, pushes are taken up to the day's bytes.
  const MiB = 1024 * 1024
  const files = Array.from({ length: 10 }, () => randomBytes(MiB))
  for (const f of files)
    t.same(await put(relayPort, f, '127.0.0.1', member), { status: 201, code: undefined }, 'a linked machine pushes a file')
  t.ok(files.every(stored), 'ten maximum-size files are stored')
  const eleventh = randomBytes(MiB)
  t.same(await put(relayPort, eleventh, '127.0.0.1', member), { status: 429, code: 'rate_limited' }, 'the eleventh in a day is refused')
  t.notOk(stored(eleventh), 'and not stored')
})
