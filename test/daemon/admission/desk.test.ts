/**
 * The Network panel's desk (admission/desk.ts) over a real Admission behind a real peer port,
 * with what discovery has seen and who is linked given by the test: how it merges them into
 * one list (a removed machine stays removed however it is seen again; a linked one is a
 * member), which decisions it refuses, and that a person's "Let in" reaches the door.
 */
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { NetworkDesk, removeMember, type SeenMachine } from '../../../daemon/admission/index.js'
import { SochatError } from '../../../daemon/errors/index.js'
import { openNetworkKey, type NetworkKey } from '../../../daemon/identity/index.js'
import type { MachineView } from '../../../shared/index.js'
import {
  type AdmittingMachine,
  admittingMachine,
  machine,
  networkKey,
  peerCall,
  peerKeyOfMachine,
  type Machine,
} from '../../lib/peer-tls.js'

/** A desk on `self`, with seen/linked lists the test fills and a `remove` that really removes (with nobody else to hand the key to). */
function deskOf(self: AdmittingMachine) {
  const seen: SeenMachine[] = []
  const linked: { nodeId: string; name: string; host: string }[] = []
  const removals: [string, string][] = []
  const desk = new NetworkDesk(self.admission, {
    self: { nodeId: self.identity.nodeId, name: 'self', fingerprint: self.identity.fingerprint },
    network: 'default',
    interfaceName: 'eth0',
    seen: () => seen,
    linked: () => linked,
    unlisted: () => 0,
    remove: async (nodeId, by) => {
      removals.push([nodeId, by])
      const known = seen.find((s) => s.peer?.nodeId === nodeId)
      if (!known?.peer) throw new Error('unknown in this test')
      await removeMember(self.admission, self.tls, { ...known.peer, sha256: shaOf.get(nodeId)!, name: 'x' }, by, [])
    },
  })
  return { desk, seen, linked, removals }
}

const shaOf = new Map<string, string>()
const peerOf = (m: Machine) => {
  shaOf.set(m.identity.nodeId, m.identity.sha256)
  return { nodeId: m.identity.nodeId, fingerprint: m.identity.fingerprint }
}
const seenAs = (m: Machine, over: Partial<SeenMachine> = {}): SeenMachine => ({
  host: '10.0.0.2',
  source: 'mdns',
  peer: peerOf(m),
  advert: { nodeId: m.identity.nodeId, name: 'seen-name' },
  member: false,
  heardAt: 1000,
  ...over,
})

const join_ = (as: Machine, port: number, name = 'newcomer') => peerCall(as, port, 'POST', '/peer/v1/join', { name, network: 'default' })

async function member(t: Test, key: NetworkKey | null = networkKey()) {
  return admittingMachine(t, join(t.testdir(), 'self'), key)
}

const byId = (views: MachineView[]) => new Map(views.map((v) => [v.nodeId, v]))

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p
    return 'resolved'
  } catch (err) {
    return err instanceof SochatError ? err.code : String(err)
  }
}

t.test('the list merges this machine, members, the linked, the asking, the refused, the removed, strangers and the outdated', async (t) => {
  const self = await member(t)
  const { desk, seen, linked } = deskOf(self)
  const [m, l, rosterOnly, stranger, outdated, asking, refused, removed] = Array.from({ length: 8 }, () => machine())

  seen.push(seenAs(m!, { member: true, host: '10.0.0.3' }))
  seen.push(seenAs(l!, { member: true, host: '10.0.0.4' }))
  linked.push({ nodeId: l!.identity.nodeId, name: 'l', host: '10.0.0.4' })
  linked.push({ nodeId: rosterOnly!.identity.nodeId, name: 'roster-only', host: '10.0.0.5' })
  seen.push(seenAs(stranger!, { problem: 'no proof of the network key' }))
  seen.push({
    host: '10.0.0.7',
    source: 'mdns',
    advert: { nodeId: outdated!.identity.nodeId, name: 'old' },
    member: false,
    outdated: true,
    heardAt: 5,
  })
  t.equal((await join_(asking!, self.server.port, 'asker')).status, 202)
  seen.push(seenAs(asking!, { member: false })) // also heard on mDNS, as a stranger
  t.equal((await join_(refused!, self.server.port, 'refusee')).status, 202)
  self.admission.refuse(refused!.identity.nodeId, 'alice')
  // Removed, and still seen as a member on mDNS and in the roster (before its link is cut).
  await self.admission.removed.add({ ...peerOf(removed!), sha256: removed!.identity.sha256, name: 'gone', by: 'alice', at: 1 })
  seen.push(seenAs(removed!, { member: true }))
  linked.push({ nodeId: removed!.identity.nodeId, name: 'gone', host: '10.0.0.9' })
  // This machine itself, heard of again, stays "this".
  seen.push(seenAs(self, { member: true }))
  linked.push({ nodeId: self.identity.nodeId, name: 'self', host: '10.0.0.1' })

  const list = desk.list()
  t.same(list.network, { name: 'default', open: false, standing: 'member', interface: 'eth0' })
  const views = byId(list.machines)
  t.equal(views.size, 9, 'each machine once')
  t.match(views.get(self.identity.nodeId), { state: 'this', name: 'self', fingerprint: self.identity.fingerprint })
  t.match(views.get(m!.identity.nodeId), { state: 'member', linked: false, address: '10.0.0.3' })
  t.match(views.get(l!.identity.nodeId), { state: 'member', linked: true, address: '10.0.0.4' })
  t.match(views.get(rosterOnly!.identity.nodeId), {
    state: 'member',
    linked: true,
    address: '10.0.0.5',
    name: 'roster-only',
    seenBy: ['roster'],
  })
  t.match(views.get(stranger!.identity.nodeId), { state: 'stranger', linked: false, problem: 'no proof of the network key' })
  t.match(views.get(outdated!.identity.nodeId), { state: 'outdated', name: 'old', address: '10.0.0.7' })
  t.match(views.get(asking!.identity.nodeId), {
    state: 'asking',
    name: 'asker',
    fingerprint: asking!.identity.fingerprint,
    address: '127.0.0.1',
  })
  const seenBy = (m: Machine) => [...(views.get(m.identity.nodeId)?.seenBy ?? [])].sort()
  t.same(seenBy(m!), ['mdns'])
  t.same(seenBy(l!), ['mdns', 'roster'])
  t.same(seenBy(rosterOnly!), ['roster'])
  t.same(seenBy(asking!), ['asked', 'mdns'], 'it asked this machine to join, and was heard on mDNS')
  t.match(views.get(refused!.identity.nodeId), { state: 'refused', name: 'refusee' })
  t.match(views.get(removed!.identity.nodeId), { state: 'removed', linked: false, name: 'gone', problem: 'removed by alice' })
})

t.test('an asking machine removed elsewhere (a rekey names it) is shown as removed, not asking', async (t) => {
  const self = await member(t)
  const { desk } = deskOf(self)
  const asker = machine()
  t.equal((await join_(asker, self.server.port)).status, 202)
  t.equal(byId(desk.list().machines).get(asker.identity.nodeId)?.state, 'asking')
  await self.admission.rekey(networkKey(), {
    sha256: asker.identity.sha256,
    nodeId: asker.identity.nodeId,
    fingerprint: asker.identity.fingerprint,
    name: 'asker',
    by: 'bob on elsewhere',
    at: 1,
  })
  t.equal(byId(desk.list().machines).get(asker.identity.nodeId)?.state, 'removed')
  const again = await join_(asker, self.server.port)
  t.equal(again.status, 403, 'and its asking again is refused')
  t.equal(byId(desk.list().machines).get(asker.identity.nodeId)?.state, 'removed', 'still removed')
})

t.test('act refuses: without a key, an unknown machine, letting in a member, removing a non-member', async (t) => {
  const root = t.testdir()
  const keyless = await admittingMachine(t, join(root, 'keyless'), null)
  const lonely = deskOf(keyless)
  const asker = machine()
  keyless.admission.asking.note(peerKeyOfMachine(asker), 'asker', '10.0.0.8')
  t.equal(await codeOf(lonely.desk.act(asker.identity.nodeId, 'admit', 'alice')), 'not_network_member', 'keyless: cannot let in')
  t.equal(await codeOf(lonely.desk.setOpen(true, 'alice')), 'not_network_member', 'keyless: cannot open')
  t.equal(keyless.admission.open, false)
  t.equal(keyless.admission.asking.byNodeId(asker.identity.nodeId)?.decision, null, 'nothing decided')

  const self = await admittingMachine(t, join(root, 'self'), networkKey())
  const { desk, seen, removals } = deskOf(self)
  const [m, stranger, asking] = [machine(), machine(), machine()]
  seen.push(seenAs(m, { member: true }), seenAs(stranger))
  await join_(asking, self.server.port)

  t.equal(await codeOf(desk.act('0123456789abcdef', 'admit', 'alice')), 'machine_unknown')
  t.equal(await codeOf(desk.act('0123456789abcdef', 'remove', 'alice')), 'machine_unknown')
  t.equal(await codeOf(desk.act(m.identity.nodeId, 'admit', 'alice')), 'machine_state', 'a member is not let in')
  t.equal(await codeOf(desk.act(m.identity.nodeId, 'refuse', 'alice')), 'machine_state', 'nor refused')
  t.equal(await codeOf(desk.act(self.identity.nodeId, 'admit', 'alice')), 'machine_state', 'nor this machine')
  t.equal(await codeOf(desk.act(self.identity.nodeId, 'remove', 'alice')), 'machine_state', 'this machine is not removed')
  t.equal(await codeOf(desk.act(stranger.identity.nodeId, 'remove', 'alice')), 'machine_state', 'a stranger is not removed')
  t.equal(await codeOf(desk.act(stranger.identity.nodeId, 'admit', 'alice')), 'machine_state', 'nor let in unasked')
  t.equal(await codeOf(desk.act(asking.identity.nodeId, 'remove', 'alice')), 'machine_state', 'an asking machine is refused, not removed')
  t.same(removals, [], 'remove was never called')
  t.equal(self.admission.asking.byNodeId(asking.identity.nodeId)?.decision, null)
})

t.test('remove passes the machine and the person to the source, and the machine shows removed', async (t) => {
  const self = await member(t)
  const { desk, seen, removals } = deskOf(self)
  const m = machine()
  seen.push(seenAs(m, { member: true }))
  const before = self.admission.key()!
  const view = await desk.act(m.identity.nodeId, 'remove', 'alice')
  t.same(removals, [[m.identity.nodeId, 'alice']])
  t.match(view, { nodeId: m.identity.nodeId, state: 'removed', linked: false })
  t.not(self.admission.key()!.id, before.id, 'the key was replaced')
  t.equal(await codeOf(desk.act(m.identity.nodeId, 'remove', 'alice')), 'machine_state', 'removed once only')
  t.same(removals.length, 1)
})

t.test('letting an asking machine in makes it a member, and its next request to join gets the key sealed to it', async (t) => {
  const self = await member(t)
  const { desk } = deskOf(self)
  const asker = machine()
  let changed = 0
  self.admission.on('changed', () => changed++)
  t.equal((await join_(asker, self.server.port)).status, 202)
  const seenChanges = changed
  const view = await desk.act(asker.identity.nodeId, 'admit', 'alice')
  t.match(view, { nodeId: asker.identity.nodeId, state: 'member' })
  t.equal(changed, seenChanges + 1, 'the panel is told')
  t.equal(byId(desk.list().machines).get(asker.identity.nodeId)?.state, 'member')
  const answer = await join_(asker, self.server.port)
  t.equal(answer.status, 200)
  t.equal(answer.body.state, 'admitted')
  t.ok((await openNetworkKey(answer.body.sealedKey, asker.identity.privateKey)).equals(self.admission.key()), 'it opens the key')
})

t.test('refusing, then changing one’s mind: refused, then member', async (t) => {
  const self = await member(t)
  const { desk } = deskOf(self)
  const asker = machine()
  await join_(asker, self.server.port)
  t.match(await desk.act(asker.identity.nodeId, 'refuse', 'alice'), { state: 'refused' })
  t.equal((await join_(asker, self.server.port)).status, 403)
  t.match(await desk.act(asker.identity.nodeId, 'admit', 'bob'), { state: 'member' })
  t.equal((await join_(asker, self.server.port)).status, 200)
})

t.test('setOpen opens and closes the door, and says so', async (t) => {
  const self = await member(t)
  const { desk } = deskOf(self)
  let changed = 0
  self.admission.on('changed', () => changed++)
  t.match(await desk.setOpen(true, 'alice'), { open: true, standing: 'member' })
  t.equal(self.admission.open, true)
  t.equal(changed, 1)
  t.match(await desk.setOpen(true, 'alice'), { open: true })
  t.equal(changed, 1, 'no change, no event')
  const newcomer = machine()
  t.equal((await join_(newcomer, self.server.port)).status, 200, 'open: let in at once')
  t.match(await desk.setOpen(false, 'alice'), { open: false })
  t.equal(desk.list().network.open, false)
  t.equal((await join_(machine(), self.server.port)).status, 202, 'closed: asking again')
})
