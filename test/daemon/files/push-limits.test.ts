/**
 * Who may push a file onto a real relay daemon (PUT /peer/v1/blobs/<sha256>): a machine linked
 * to it, for a file it offered on its link for a message. A push from a machine with no link
 * is refused with `not_linked` and nothing is stored; one from the linked client daemon's own
 * key that was not offered, with `not_offered`; one to a daemon that is not the relay, with
 * `not_relay`. Offers, their sizes and expiry, and the day's bytes are
 * test/daemon/relay/file-offers.test.ts; the legitimate path, a client's message with a file,
 * is test/daemon/http/files.test.ts.
 */
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { loadMachineIdentity, loadNetworkKey, machineCertificate } from '../../../daemon/identity/index.js'
import { clientProof, machine, requestOn, tlsTo, type Machine } from '../../lib/peer-tls.js'
import { startPair } from '../http/local-daemon.js'

const root = t.testdir()
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

/**
 * A PUT from `localAddress`, as another machine's daemon would send it: over TLS with its own
 * certificate, proving the network key (a member that is not linked is still refused).
 */
async function put(
  port: number,
  bytes: Buffer,
  localAddress: string,
  as: Pick<Machine, 'pem' | 'key'>,
): Promise<{ status: number; code?: string }> {
  const socket = await tlsTo(port, as as Machine, { localAddress })
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

t.test('pushes to the relay: only from a linked machine, and only what it offered', async (t) => {
  const { relay, client } = await startPair(t, root, ['alice'], 'pair of velvet lamps', { maxFileMib: '1' })
  const relayPort = relay.status().peerPort
  const member = machine(await loadNetworkKey(join(root, 'relay')))
  t.ok(member.key(), 'the relay holds a network key')
  const stored = (b: Buffer) => existsSync(join(root, 'relay', 'blobs', 'sha256', sha(b).slice(0, 2), sha(b)))

  const stray = randomBytes(1000)
  t.same(await put(relayPort, stray, '127.0.0.77', member), { status: 403, code: 'not_linked' }, 'from a machine with no link: refused')
  t.same(await put(relayPort, stray, '127.0.0.1', member), { status: 403, code: 'not_linked' }, 'even from a linked address')
  t.notOk(stored(stray), 'and not stored')

  t.same(
    await put(client.status().peerPort, stray, '127.0.0.1', member),
    { status: 409, code: 'not_relay' },
    'to a daemon that is not the relay: refused',
  )
  t.notOk(existsSync(join(root, 'client', 'blobs', 'sha256', sha(stray).slice(0, 2), sha(stray))), 'and not stored there')

  // The client daemon's own key, linked to the relay: a file it did not offer is still refused.
  const { identity } = await loadMachineIdentity(join(root, 'client'))
  const linked = {
    pem: { key: identity.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, cert: machineCertificate(identity) },
    key: () => member.key(),
  }
  t.same(await put(relayPort, stray, '127.0.0.1', linked), { status: 403, code: 'not_offered' }, 'a linked machine, not offered: refused')
  t.notOk(stored(stray), 'and not stored')
})
