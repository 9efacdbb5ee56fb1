/**
 * Removing a member replaces the network key (admission/removal.ts): three members A, B, C,
 * each a real PeerServer over loopback TLS with its Admission wired as daemon.ts wires it.
 * A removes C: B gets the new key sealed to its own machine key, C gets nothing and is a
 * stranger from then on (its proof, its counter-removal and its asking to join are refused);
 * a member out of reach keeps the old key; the removed list survives a restart.
 */
import { createHash } from 'node:crypto'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { removeMember, RemovedList, type RemovedMachine } from '../../../daemon/admission/index.js'
import { loadNetworkKey, NetworkKey, sealNetworkKey } from '../../../daemon/identity/index.js'
import {
  type AdmittingMachine,
  admittingMachine,
  clientProof,
  codeOf,
  machine,
  networkKey,
  peerCall,
  peerServer,
  tlsTo,
  upgradeOn,
} from '../../lib/peer-tls.js'

const targetOf = (m: AdmittingMachine, name: string) => ({
  sha256: m.identity.sha256,
  nodeId: m.identity.nodeId,
  fingerprint: m.identity.fingerprint,
  name,
})

/** Three members holding one key, each with its `rekeyed` events collected. */
async function threeMembers(t: Test) {
  const root = t.testdir()
  const key = networkKey()
  const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((n) => admittingMachine(t, join(root, n), key)))
  const rekeyed = new Map<AdmittingMachine, RemovedMachine[]>()
  for (const m of [a!, b!, c!]) {
    const events: RemovedMachine[] = []
    m.admission.on('rekeyed', (r) => events.push(r))
    rekeyed.set(m, events)
  }
  return { key, a: a!, b: b!, c: c!, rekeyed, root }
}

const blob = `/peer/v1/blobs/${'a'.repeat(64)}`

t.test('removing C hands a new key to B only, and A and B note C as removed', async (t) => {
  const { key, a, b, c, rekeyed } = await threeMembers(t)

  const { handed, missed } = await removeMember(a.admission, a.tls, targetOf(c, 'c'), 'alice', [b.at, c.at])

  t.same(handed, [b.identity.fingerprint], 'B got the new key')
  t.same(missed, [], 'nobody missed')
  t.equal(c.calls.rekey, 0, 'C was never sent the new key')
  t.equal(b.calls.rekey, 1)

  const next = a.admission.key()!
  t.not(next.id, key.id, 'A holds a new key')
  t.ok(next.equals(b.admission.key()), 'B holds the same new key')
  t.equal(b.admission.key()!.id, next.id)
  t.ok(c.admission.key()!.equals(key), 'C still holds the old one')
  for (const m of [a, b]) {
    t.ok((await loadNetworkKey(m.dataDir))!.equals(next), 'the new key is saved in the data folder')
    t.equal(m.admission.standing, 'member')
  }

  t.match(rekeyed.get(a), [{ nodeId: c.identity.nodeId, sha256: c.identity.sha256, by: 'alice', name: 'c' }], 'A: rekeyed with C')
  t.match(
    rekeyed.get(b),
    [
      {
        nodeId: c.identity.nodeId,
        sha256: c.identity.sha256,
        fingerprint: c.identity.fingerprint,
        name: 'c',
        by: `alice on ${a.identity.fingerprint}`,
      },
    ],
    'B: rekeyed with C, and who removed it from where',
  )
  t.same(rekeyed.get(c), [], 'C was told nothing')

  for (const m of [a, b]) {
    t.ok(m.admission.removed.has(c.identity.sha256), 'listed as removed')
    t.equal(m.admission.removed.byNodeId(c.identity.nodeId)?.name, 'c')
    const file = join(m.dataDir, 'network-removed.json')
    t.equal((await stat(file)).mode & 0o777, 0o600, 'the removed list is 0600')
    t.match(JSON.parse(await readFile(file, 'utf8')), [{ sha256: c.identity.sha256, nodeId: c.identity.nodeId }])
    t.ok((await RemovedList.load(m.dataDir)).has(c.identity.sha256), 'and read back after a restart')
  }
  t.same(c.admission.removed.all(), [], 'C lists nobody')
})

t.test('once removed, C is a stranger: its old key opens nothing, its counter-removal and its asking are refused', async (t) => {
  const { key, a, b, c } = await threeMembers(t)
  await removeMember(a.admission, a.tls, targetOf(c, 'c'), 'alice', [b.at, c.at])
  const next = a.admission.key()!

  t.equal((await peerCall(b, a.server.port, 'GET', blob)).status, 404, 'B still proves the (new) key at A: the blob handler answers')
  t.equal((await peerCall(a, b.server.port, 'GET', blob)).status, 404, 'and A at B')
  for (const m of [a, b]) {
    const answer = await peerCall(c, m.server.port, 'GET', blob)
    t.equal(answer.status, 403, 'C with the old key: refused')
    t.equal(answer.body.error.code, 'not_admitted')
    const socket = await tlsTo(m.server.port, c)
    t.teardown(() => socket.destroy())
    const link = await upgradeOn(socket, clientProof(key, socket))
    t.equal(link.status, 403, 'no link with the old key either')
    t.equal(codeOf(link.body), 'not_admitted')
  }

  // C strikes back: it "removes" A at B with the old key and a key of its own.
  const mine = NetworkKey.generate()
  const counter = await peerCall(c, b.server.port, 'POST', '/peer/v1/rekey', {
    sealedKey: await sealNetworkKey(mine, b.identity.publicKey),
    removed: { sha256: a.identity.sha256, name: 'a' },
    by: 'mallory',
  })
  t.equal(counter.status, 403, 'a rekey from a non-member is refused')
  t.equal(counter.body.error.code, 'not_admitted')
  t.equal(b.calls.rekey, 1, 'B’s rekey handler never ran for it')
  t.ok(b.admission.key()!.equals(next), 'B keeps the new key')
  t.notOk(b.admission.removed.has(a.identity.sha256), 'A is not removed at B')

  const asked = await peerCall(c, a.server.port, 'POST', '/peer/v1/join', { name: 'c', network: 'default' })
  t.equal(asked.status, 403, 'C asking to join again is refused')
  t.equal(asked.body.state, 'refused')
  t.match(asked.body.error, { code: 'not_admitted', message: /removed/ })
  t.notOk(asked.body.sealedKey, 'and given no key')
  t.same(a.admission.asking.all(), [], 'A does not list C as asking')
  a.admission.setOpen(true, 'alice')
  const open = await peerCall(c, a.server.port, 'POST', '/peer/v1/join', { name: 'c', network: 'default' })
  t.equal(open.status, 403, 'not even when A is open')
  t.notOk(open.body.sealedKey)
})

t.test('a rekey naming the sender or the receiver, a key not sealed to the receiver, or a bad body changes nothing', async (t) => {
  const { key, a, b, c, rekeyed } = await threeMembers(t)
  const next = NetworkKey.generate()
  const sealed = await sealNetworkKey(next, b.identity.publicKey)
  const rekey = (body: unknown) => peerCall(a, b.server.port, 'POST', '/peer/v1/rekey', body)

  for (const [who, m] of [
    ['the sender', a],
    ['the receiver', b],
  ] as const) {
    const answer = await rekey({ sealedKey: sealed, removed: { sha256: m.identity.sha256, name: 'x' }, by: 'alice' })
    t.equal(answer.status, 403, `naming ${who}: 403`)
    t.equal(answer.body.error.code, 'machine_state')
  }

  const toOther = await rekey({
    sealedKey: await sealNetworkKey(next, machine().identity.publicKey),
    removed: { sha256: c.identity.sha256, name: 'c' },
    by: 'alice',
  })
  t.equal(toOther.status, 400, 'a key sealed to another machine: 400')
  t.equal(toOther.body.error.code, 'network_key_invalid')
  const garbage = await rekey({ sealedKey: 'AAAA', removed: { sha256: c.identity.sha256, name: 'c' }, by: 'alice' })
  t.equal(garbage.status, 400, 'a sealed key that is no sealed box: 400')
  t.equal(garbage.body.error.code, 'network_key_invalid')

  for (const body of [
    'not json',
    {},
    { sealedKey: sealed, removed: { sha256: 'x'.repeat(64), name: 'c' }, by: 'alice' },
    { sealedKey: sealed, removed: { sha256: c.identity.sha256.toUpperCase(), name: 'c' }, by: 'alice' },
    { sealedKey: sealed, removed: { sha256: c.identity.sha256, name: 'c'.repeat(64) }, by: 'alice' },
    { sealedKey: sealed, removed: { sha256: c.identity.sha256, name: 'c' }, by: 'a'.repeat(65) },
    { sealedKey: 's'.repeat(201), removed: { sha256: c.identity.sha256, name: 'c' }, by: 'alice' },
    { removed: { sha256: c.identity.sha256, name: 'c' }, by: 'alice' },
    `{"sealedKey":"${'x'.repeat(5000)}"}`,
  ]) {
    const answer = await rekey(body)
    t.equal(answer.status, 400, `bad body ${JSON.stringify(body).slice(0, 50)}: 400`)
    t.equal(answer.body.error.code, 'bad_request')
  }

  t.ok(b.admission.key()!.equals(key), 'B still holds the old key')
  t.same(b.admission.removed.all(), [], 'and removed nobody')
  t.same(rekeyed.get(b), [], 'no rekeyed event')
  t.equal(b.calls.rekey, 2 + 2 + 9, 'every one reached the handler (A is a member)')

  const stranger = machine()
  const refused = await peerCall(stranger, b.server.port, 'POST', '/peer/v1/rekey', {
    sealedKey: await sealNetworkKey(next, b.identity.publicKey),
    removed: { sha256: c.identity.sha256, name: 'c' },
    by: 'mallory',
  })
  t.equal(refused.status, 403, 'from a machine without the key: refused before the handler')
  t.equal(b.calls.rekey, 13)
  t.ok(b.admission.key()!.equals(key))
})

t.test('a member out of reach during the removal is listed as missed, with why, and keeps the old key', async (t) => {
  const root = t.testdir()
  const key = networkKey()
  const [a, b, c, d] = await Promise.all(['a', 'b', 'c', 'd'].map((n) => admittingMachine(t, join(root, n), key)))
  await d!.server.close()

  const { handed, missed } = await removeMember(a!.admission, a!.tls, targetOf(c!, 'c'), 'alice', [b!.at, c!.at, d!.at])
  t.same(handed, [b!.identity.fingerprint])
  t.equal(missed.length, 1)
  t.match(missed[0], new RegExp(`^${d!.identity.fingerprint}: \\S`), 'D is missed, with a reason')
  t.ok(d!.admission.key()!.equals(key), 'D keeps the old key')
  t.notOk(d!.admission.removed.has(c!.identity.sha256))
  t.ok(a!.admission.key()!.equals(b!.admission.key()))
})

t.test('the new key is not handed to another machine answering at a member’s address (the pin refuses it first)', async (t) => {
  const root = t.testdir()
  const key = networkKey()
  const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((n) => admittingMachine(t, join(root, n), key)))
  const impostor = machine(key) // even one holding the key: it is not the machine named
  let rekeys = 0
  const there = await peerServer(t, impostor, {
    rekey: async (_req, res) => {
      rekeys++
      res.writeHead(200).end('{}')
    },
  })
  const { handed, missed } = await removeMember(a!.admission, a!.tls, targetOf(c!, 'c'), 'alice', [
    { host: '127.0.0.1', port: there.port, peer: b!.at.peer },
  ])
  t.same(handed, [])
  t.match(missed, [new RegExp(`^${b!.identity.fingerprint}: .*not the`)])
  t.equal(rekeys, 0, 'nothing was sent to the impostor')
  t.ok(b!.admission.key()!.equals(key), 'B, not reached, keeps the old key')
})

t.test('a removal by a person with a long username is still listed after a restart on the members it reached', async (t) => {
  const { a, b, c } = await threeMembers(t)
  const longName = 'a-rather-long-username-of-32-ch' // usernames may have up to 32 characters
  await removeMember(a.admission, a.tls, targetOf(c, 'c'), longName, [b.at])
  t.ok((await RemovedList.load(a.dataDir)).has(c.identity.sha256), 'at the remover')
  t.ok((await RemovedList.load(b.dataDir)).has(c.identity.sha256), 'at the member that got the new key')
})

const entry = (i: number): RemovedMachine => {
  const sha256 = createHash('sha256').update(`machine ${i}`).digest('hex')
  return { sha256, nodeId: sha256.slice(0, 16), fingerprint: sha256.slice(0, 32).toUpperCase(), name: `m${i}`, by: 'alice', at: i }
}

t.test('the removed list persists across a load', async (t) => {
  const dir = t.testdir()
  const list = await RemovedList.load(dir)
  t.same(list.all(), [], 'none at first')
  await list.add(entry(1))
  await list.add(entry(2))
  await list.add({ ...entry(1), by: 'bob' })
  const again = await RemovedList.load(dir)
  t.same(
    again.all().map((m) => [m.name, m.by]),
    [
      ['m2', 'alice'],
      ['m1', 'bob'],
    ],
    'each once, the latest word kept, and one removed again moves to the end (kept longest)',
  )
  t.ok(again.has(entry(2).sha256))
  t.equal(again.byNodeId(entry(2).nodeId)?.name, 'm2')
  t.equal(again.byNodeId('0'.repeat(16)), undefined)
})

t.test('a damaged removed list loads as empty, without throwing', async (t) => {
  const cases: [string, string][] = [
    ['not JSON', '[{"sha256": "ab'],
    ['empty', ''],
    ['not a list', '{"sha256":"x"}\n'],
    ['wrong entries', '[{"sha256":"x"}]\n'],
  ]
  for (const [what, text] of cases) {
    const dir = t.testdir({})
    await writeFile(join(dir, 'network-removed.json'), text, { mode: 0o600 })
    const list = await RemovedList.load(dir).catch((err: Error) => err)
    t.notOk(list instanceof Error, `${what}: loads (${list instanceof Error ? list.message : 'ok'})`)
    if (!(list instanceof Error)) {
      t.same(list.all(), [], `${what}: empty`)
      await list.add(entry(3))
      t.same((await RemovedList.load(dir)).all(), [entry(3)], `${what}: written afresh on the next removal`)
    }
  }
})

t.test('the removed list keeps the newest 1000: the oldest goes', async (t) => {
  const dir = t.testdir()
  const thousand = Array.from({ length: 1000 }, (_, i) => entry(i))
  await writeFile(join(dir, 'network-removed.json'), JSON.stringify(thousand), { mode: 0o600 })
  const list = await RemovedList.load(dir)
  t.equal(list.all().length, 1000)
  await list.add(entry(1000))
  t.equal(list.all().length, 1000, 'still 1000')
  t.notOk(list.has(entry(0).sha256), 'the oldest went')
  t.ok(list.has(entry(1).sha256))
  t.ok(list.has(entry(1000).sha256), 'the newest is kept')
  const again = await RemovedList.load(dir)
  t.equal(again.all().length, 1000, 'and so on disk')
  t.notOk(again.has(entry(0).sha256))
})
