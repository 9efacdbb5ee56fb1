/**
 * The door of a network. `roundOutcome` decides, from one round of asking, whether a keyless
 * machine keeps asking, waits or founds a network; the asking list stays bounded however many
 * keys a neighbour makes; and `POST /peer/v1/join`, through a real peer port over TLS, lists a
 * newcomer, hands it the key sealed to its own machine key once a person let it in (only it
 * can open it), refuses it when a person said no, and never answers without a key of its own.
 */
import t, { type Test } from 'tap'
import { Admission, AskingList, roundOutcome, type JoinAnswer } from '../../../daemon/admission/index.js'
import { FORGET_MS, MAX_ASKING } from '../../../daemon/admission/asking.js'
import { RemovedList } from '../../../daemon/admission/removed.js'
import { openNetworkKey, type NetworkKey, type PeerKey } from '../../../daemon/identity/index.js'
import { peerRequest, readText, remoteIp } from '../../../daemon/link/index.js'
import { machine, networkKey, peerServer, silent, type Machine } from '../../lib/peer-tls.js'

const SELF = '5'.repeat(16)
const round = (windowOver: boolean, ...answers: [string | null, JoinAnswer][]) =>
  roundOutcome({ selfId: SELF, windowOver, answers: answers.map(([nodeId, answer]) => ({ nodeId, answer })) })

t.test('roundOutcome: a machine holding the network answered, so keep asking', async (t) => {
  t.same(round(false, ['a'.repeat(16), 'asking']), { kind: 'asking', refusedBy: 0 })
  t.same(round(true, ['a'.repeat(16), 'asking'], ['b'.repeat(16), 'refused'], ['0'.repeat(16), 'no-network']), {
    kind: 'asking',
    refusedBy: 1,
  })
  t.same(round(true, ['a'.repeat(16), 'refused'], ['b'.repeat(16), 'refused']), { kind: 'asking', refusedBy: 2 }, 'all refused: counted')
})

t.test('roundOutcome: nobody holding a network, before the window is over: wait', async (t) => {
  t.same(round(false), { kind: 'wait' })
  t.same(round(false, ['9'.repeat(16), 'no-network']), { kind: 'wait' })
})

t.test('roundOutcome: after the window, the lowest keyless node id founds', async (t) => {
  t.same(round(true), { kind: 'found' }, 'no-one at all')
  t.same(round(true, [null, 'unreachable'], ['0'.repeat(16), 'unreachable']), { kind: 'found' }, 'only the unreachable')
  t.same(round(true, ['0'.repeat(16), 'no-network']), { kind: 'wait' }, 'a keyless machine with a lower id founds instead')
  t.same(round(true, ['6'.repeat(16), 'no-network'], ['f'.repeat(16), 'no-network']), { kind: 'found' }, 'all others higher')
  t.same(round(true, [null, 'no-network']), { kind: 'found' }, 'an answer without a node id does not count')
})

const keyOf = (m: Machine): PeerKey => ({ ...m.identity })

t.test('the asking list: four undecided per address, 64 in all (the oldest go), forgotten after ten minutes', async (t) => {
  const list = new AskingList()
  const now = 1_000_000
  const four = Array.from({ length: 4 }, () => keyOf(machine()))
  for (const [i, k] of four.entries()) t.ok(list.note(k, `m${i}`, '10.0.0.9', now + i), `ask ${i + 1} from one address`)
  t.equal(list.note(keyOf(machine()), 'fifth', '10.0.0.9', now + 5), null, 'a fifth key from that address is turned away')
  t.ok(list.note(four[0]!, 'again', '10.0.0.9', now + 6), 'one already listed may ask again')
  list.byNodeId(four[1]!.nodeId)!.decision = { admitted: false, by: 'alice', at: now }
  t.ok(list.note(keyOf(machine()), 'after a decision', '10.0.0.9', now + 7), 'a decided one no longer counts against its address')

  const full = new AskingList()
  const first = keyOf(machine())
  full.note(first, 'first', '10.0.1.1', now)
  for (let i = 1; i < MAX_ASKING; i++) full.note(keyOf(machine()), `m${i}`, `10.0.2.${i}`, now + i)
  t.equal(full.all(now + MAX_ASKING).length, MAX_ASKING)
  t.ok(full.note(keyOf(machine()), 'one more', '10.0.3.1', now + MAX_ASKING))
  t.equal(full.all(now + MAX_ASKING).length, MAX_ASKING, 'never more than 64')
  t.equal(full.byNodeId(first.nodeId), undefined, 'the one that asked longest ago went')

  t.equal(full.all(now + MAX_ASKING + FORGET_MS + 1).length, 0, 'all forgotten once they stop asking')
})

/** A member's peer port whose join answers come from an Admission. */
async function door(t: Test, key: NetworkKey | null, open = false) {
  const server = machine(key)
  const dataDir = t.testdir()
  const removed = await RemovedList.load(dataDir)
  const admission = new Admission({ dataDir, identity: server.identity, network: 'default', key, open, removed, log: silent })
  const listening = await peerServer(t, server, {
    join: (req, res, standing) => admission.answerJoin(req, res, standing, remoteIp(req.socket)),
  })
  return { admission, port: listening.port }
}

/** Asks to join as `as`; the status and the answer. */
async function ask(port: number, as: Machine, body: unknown = { name: 'newcomer', network: 'default' }) {
  const { res } = await peerRequest(as.tls, { host: '127.0.0.1', port }, 'POST', '/peer/v1/join', {
    timeoutMs: 2000,
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  // biome-ignore lint/suspicious/noExplicitAny: the test reads whichever fields the answer has
  return { status: res.statusCode, body: JSON.parse(await readText(res)) as any }
}

t.test('a newcomer asks, is listed, and once a person lets it in gets a key only it can open', async (t) => {
  const key = networkKey()
  const { admission, port } = await door(t, key)
  const newcomer = machine()
  let changed = 0
  admission.on('changed', () => changed++)

  const first = await ask(port, newcomer)
  t.equal(first.status, 202)
  t.same(first.body, { state: 'asking', fingerprint: newcomer.identity.fingerprint }, 'told its fingerprint, to compare')
  t.match(admission.asking.all(), [{ name: 'newcomer', peer: { nodeId: newcomer.identity.nodeId } }], 'listed for the Network panel')
  t.equal(changed, 1, 'the panel is told once')
  t.equal((await ask(port, newcomer)).status, 202, 'still asking')
  t.equal(changed, 1, 'not again for the same machine')

  t.ok(admission.admit(newcomer.identity.nodeId, 'alice'))
  const let_in = await ask(port, newcomer)
  t.equal(let_in.status, 200)
  t.equal(let_in.body.state, 'admitted')
  t.ok((await openNetworkKey(let_in.body.sealedKey, newcomer.identity.privateKey)).equals(key), 'the newcomer opens the network key')
  await t.rejects(openNetworkKey(let_in.body.sealedKey, machine().identity.privateKey), 'no other machine can')
})

t.test('a machine a person refused is told so, with 403, and given nothing', async (t) => {
  const { admission, port } = await door(t, networkKey())
  const newcomer = machine()
  await ask(port, newcomer)
  admission.refuse(newcomer.identity.nodeId, 'alice')
  const refused = await ask(port, newcomer)
  t.equal(refused.status, 403)
  t.match(refused.body, { state: 'refused', error: { code: 'not_admitted', message: /Refused by alice/ } })
  t.notOk(refused.body.sealedKey)
  const other = machine()
  t.equal((await ask(port, other)).status, 202, 'another machine is not refused along with it')
})

t.test('an open network lets a machine in at once', async (t) => {
  const key = networkKey()
  const { port } = await door(t, key, true)
  const newcomer = machine()
  const answer = await ask(port, newcomer)
  t.equal(answer.status, 200)
  t.ok((await openNetworkKey(answer.body.sealedKey, newcomer.identity.privateKey)).equals(key))
})

t.test('a machine without a network answers 409, and gives no key', async (t) => {
  const { port } = await door(t, null, true)
  const answer = await ask(port, machine())
  t.equal(answer.status, 409)
  t.match(answer.body, { error: { code: 'not_network_member' } })
})

t.test('a bad request is 400 and lists nobody; another network name is 403 network_mismatch', async (t) => {
  const { admission, port } = await door(t, networkKey())
  for (const body of [
    'not json',
    {},
    { name: '', network: 'default' },
    { name: 'x'.repeat(64), network: 'default' },
    `{"name":"${'x'.repeat(5000)}"}`,
  ]) {
    t.equal((await ask(port, machine(), body)).status, 400, JSON.stringify(body).slice(0, 40))
  }
  const mismatch = await ask(port, machine(), { name: 'n', network: 'elsewhere' })
  t.equal(mismatch.status, 403)
  t.match(mismatch.body, { error: { code: 'network_mismatch' } })
  t.same(admission.asking.all(), [], 'nobody listed')
})

t.test('a member asking again gets the key back at once (it proved it holds it)', async (t) => {
  const key = networkKey()
  const { admission, port } = await door(t, key)
  const member = machine(key)
  const answer = await ask(port, member)
  t.equal(answer.status, 200)
  t.ok((await openNetworkKey(answer.body.sealedKey, member.identity.privateKey)).equals(key))
  t.same(admission.asking.all(), [], 'not listed as asking')
})
