/**
 * Connecting again resumes the TLS 1.3 session (daemon/link/sessions.ts), and resuming changes
 * nothing about whom we reach or who may do what: the second connection to a member resumes,
 * the member still knows the client's machine key from the session and still demands the
 * network key's proof, made afresh on each connection (the exporter differs on every
 * connection, resumed or not). Another machine answering at the same address cannot open the
 * ticket: its handshake is a full one and the pin refuses it. A ticket is only ever offered for
 * the address and expected node id it was filed under, and not after it has expired.
 */
import type { IncomingMessage } from 'node:http'
import type { TLSSocket } from 'node:tls'
import t, { type Test } from 'tap'
import { networkProof, peerKeyOf } from '../../../daemon/identity/index.js'
import { LinkRefusedError, peerRequest, type PeerAnswer } from '../../../daemon/link/index.js'
import { TICKET_MS, TicketStore } from '../../../daemon/link/sessions.js'
import { machine, networkKey, peerKeyOfMachine, peerServer, type Machine } from '../../lib/peer-tls.js'

interface Seen {
  /** Per members-only request that reached the handler: the client the server saw, and whether it resumed. */
  blobs: { nodeId: string | undefined; resumed: boolean }[]
}

/** A member's peer port answering blob requests (members only) with 404, recording who asked. */
async function member(t: Test, as: Machine, port = 0) {
  const seen: Seen = { blobs: [] }
  const server = await peerServer(t, as, {
    port,
    blobs: async (req: IncomingMessage, res) => {
      const socket = req.socket as TLSSocket
      seen.blobs.push({ nodeId: peerKeyOf(socket)?.nodeId, resumed: socket.isSessionReused() })
      res.writeHead(404).end()
    },
  })
  return { server, seen }
}

/** A blob request on a connection of its own (as files do), pinned to `expect`; its answer drained. */
async function blob(as: Machine, port: number, expect: string): Promise<PeerAnswer & { resumed: boolean }> {
  const answer = await peerRequest(as.tls, { host: '127.0.0.1', port, expect }, 'GET', `/peer/v1/blobs/${'a'.repeat(64)}`, {
    timeoutMs: 3000,
  })
  const resumed = (answer.res.socket as TLSSocket).isSessionReused()
  answer.res.resume()
  await new Promise((resolve) => answer.res.once('end', resolve))
  return { ...answer, resumed }
}

t.test('a second connection to the same member resumes, and the member still knows and checks the client', async (t) => {
  const key = networkKey()
  const server = machine(key)
  const client = machine(key)
  const { server: listening, seen } = await member(t, server)
  const first = await blob(client, listening.port, server.identity.nodeId)
  const second = await blob(client, listening.port, server.identity.nodeId)
  t.equal(first.resumed, false, 'the first connection is a full handshake')
  t.equal(second.resumed, true, 'the second one resumes the session')
  t.equal(second.peer.nodeId, server.identity.nodeId, 'the resumed peer is the machine we pinned')
  t.equal(second.member, true, 'the member proved the network key on the resumed connection')
  t.same(
    seen.blobs,
    [
      { nodeId: client.identity.nodeId, resumed: false },
      { nodeId: client.identity.nodeId, resumed: true },
    ],
    "the server read the client's machine key on both, and let it in as a member on both",
  )
})

t.test('a resumed connection without the network key is still refused', async (t) => {
  const key = networkKey()
  const server = machine(key)
  const client = machine(key)
  const { server: listening, seen } = await member(t, server)
  await blob(client, listening.port, server.identity.nodeId)
  client.hold(null) // the client lost the key (a removal): the session it resumes proves nothing
  const again = await blob(client, listening.port, server.identity.nodeId)
  t.equal(again.resumed, true)
  t.equal(again.res.statusCode, 403, 'not_admitted')
  t.equal(seen.blobs.length, 1, 'the handler was not reached')
})

t.test('each connection proves the key afresh: two connections resuming one ticket have different proofs', async (t) => {
  const key = networkKey()
  const server = machine(key)
  const client = machine(key)
  const { server: listening } = await member(t, server)
  await blob(client, listening.port, server.identity.nodeId)
  const a = await client.tls.connect('127.0.0.1', listening.port, 3000, server.identity.nodeId)
  const b = await client.tls.connect('127.0.0.1', listening.port, 3000, server.identity.nodeId)
  t.teardown(() => {
    a.socket.destroy()
    b.socket.destroy()
  })
  t.ok(a.socket.isSessionReused() && b.socket.isSessionReused(), 'both resumed the same ticket')
  t.not(networkProof(key, 'client', a.socket), networkProof(key, 'client', b.socket), 'a proof recorded on one is wrong on the other')
})

t.test('another machine answering at the address cannot resume: the full handshake shows its key and the pin refuses it', async (t) => {
  const key = networkKey()
  const real = machine(key)
  const other = machine(key) // it even holds the network key: the pin, not the key, refuses it
  const client = machine(key)
  const { server: first } = await member(t, real)
  const port = first.port
  t.equal((await blob(client, port, real.identity.nodeId)).resumed, false)
  await first.close()
  const { seen } = await member(t, other, port) // the same address, another machine key
  const refused = await blob(client, port, real.identity.nodeId).then(
    () => null,
    (err: unknown) => err,
  )
  t.ok(refused instanceof LinkRefusedError, 'refused')
  t.match((refused as Error).message, other.identity.fingerprint, 'naming the machine its certificate showed')
  t.same(seen.blobs, [], 'nothing reached the other machine')
})

t.test('tickets are filed under the address and the node id expected there, and expire', async (t) => {
  let now = 1_000_000
  const store = new TicketStore(() => now)
  const peer = peerKeyOfMachine(machine())
  store.keep(TicketStore.slot('10.0.0.2', 47801, peer.nodeId), Buffer.from('ticket'), peer)
  t.ok(store.get(TicketStore.slot('10.0.0.2', 47801, peer.nodeId)), 'offered again for the same peer')
  t.equal(store.get(TicketStore.slot('10.0.0.2', 47801, 'ffffffffffffffff')), undefined, 'never for another expected peer')
  t.equal(store.get(TicketStore.slot('10.0.0.2', 47801, undefined)), undefined, 'nor for a connection that pins nobody')
  t.equal(store.get(TicketStore.slot('10.0.0.3', 47801, peer.nodeId)), undefined, 'nor at another address')
  now += TICKET_MS
  t.equal(store.get(TicketStore.slot('10.0.0.2', 47801, peer.nodeId)), undefined, 'not once the server would decline it')
  t.equal(store.size, 0, 'and forgotten')
})
