/**
 * The relay signs the order, end to end over a real TLS link on loopback: a real Relay (its
 * replica signing with its machine key) and a real Follower (dialled as a daemon dials, the
 * relay's key pinned). The follower checks the welcome, the catch-up and the live fan-out
 * and ends with the relay's chain; a relay whose statements are signed with any key but the
 * one its TLS certificate carries is refused with order_invalid and nothing is applied.
 */
import t, { type Test } from 'tap'
import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { join } from 'node:path'
import type { ErrorCode, Submission } from '../../../shared/index.js'
import { dial } from '../../../daemon/link/index.js'
import { Relay } from '../../../daemon/relay/index.js'
import { Follower, Replica } from '../../../daemon/replica/index.js'
import { Store } from '../../../daemon/store/index.js'
import { TestPeople } from '../../lib/accounts.js'
import { machine, networkKey, peerServer, silent } from '../../lib/peer-tls.js'

const NETWORK = 'default'
const KEY = networkKey()
const people = new TestPeople('alice')
let n = 0
const submission = (body: Submission['body']): Submission =>
  people.sign({ id: `ord-${String(++n).padStart(8, '0')}`, ts: Date.now(), origin: 'c'.repeat(16), body })
const post = (text: string) => submission({ type: 'message.posted', room: 'general', author: 'alice', text })

/** A relay on loopback; its replica signs with `signWith` (its own machine key unless a test says otherwise). */
async function relayOnLoopback(t: Test, signWith?: KeyObject) {
  const relayMachine = machine(KEY)
  const store = await Store.open(join(t.testdir(), 'relay'))
  const replica = new Replica(store, signWith ?? relayMachine.identity.privateKey)
  const relay = new Relay(
    replica,
    3,
    {
      nodeId: relayMachine.identity.nodeId,
      name: 'relay',
      network: NETWORK,
      peerPort: 47801,
      startedAt: Date.now(),
      presence: () => ({ users: [], away: [] }),
      hasBlob: async () => false,
      maxFileBytes: 1024 * 1024,
    },
    silent,
    { roster: () => undefined, typing: () => undefined },
  )
  const server = await peerServer(t, relayMachine, {
    advert: () => {
      throw new Error('not asked')
    },
    onLink: (conn) => relay.attach(conn),
  })
  t.teardown(async () => {
    relay.stop('test over')
    await store.close()
  })
  t.match(await relay.order(submission(people.created('alice'))), { ok: true })
  return { relay, store, port: server.port, nodeId: relayMachine.identity.nodeId }
}

async function followerOf(t: Test, port: number, relayId: string) {
  const me = machine(KEY)
  const store = await Store.open(join(t.testdir(), 'follower'))
  const conn = await dial(me.tls, '127.0.0.1', port, relayId, silent)
  const follower = new Follower(
    conn,
    new Replica(store),
    { network: NETWORK, nodeId: me.identity.nodeId, name: 'f', startedAt: Date.now(), peerPort: 1 },
    silent,
  )
  t.teardown(async () => {
    conn.close(1000, 'test over')
    await store.close()
  })
  let refused: ErrorCode | null = null
  follower.on('refused', (code) => (refused = code))
  await follower.start()
  return { store, follower, refused: () => refused, conn }
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; !ok(); i++) {
    if (i > 2000) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

t.test('an honest relay: catch-up and fan-out checked, the follower ends with the relay’s chain', async (t) => {
  const { relay, store, port, nodeId } = await relayOnLoopback(t)
  for (let i = 0; i < 30; i++) t.match(await relay.order(post(`before ${i}`)), { ok: true })
  const f = await followerOf(t, port, nodeId)
  await until('the catch-up', () => f.store.log.head === store.log.head)
  t.equal(f.store.log.chainHead, store.log.chainHead, 'after the catch-up, the same chain')
  t.equal(f.refused(), null)
  const more = await Promise.all(Array.from({ length: 20 }, (_, i) => relay.order(post(`live ${i}`))))
  t.ok(
    more.every((o) => o.ok),
    'twenty more ordered',
  )
  await until('the fan-out', () => f.store.log.head === store.log.head)
  t.equal(f.store.log.chainHead, store.log.chainHead, 'after the fan-out, the same chain')
  t.equal(f.refused(), null, 'nothing refused')
  t.equal(f.conn.open, true, 'the link stays')
})

t.test('a relay that signs with a key other than the one its link carries: refused, nothing applied', async (t) => {
  const { relay, port, nodeId } = await relayOnLoopback(t, generateKeyPairSync('ed25519').privateKey)
  for (let i = 0; i < 5; i++) await relay.order(post(`rogue ${i}`))
  const f = await followerOf(t, port, nodeId)
  await until('the refusal', () => f.refused() !== null)
  t.equal(f.refused(), 'order_invalid')
  t.equal(f.store.log.head, 0, 'nothing applied')
  await until('the link to close', () => !f.conn.open)
})
