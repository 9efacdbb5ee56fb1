/**
 * The asking side (admission/newcomer.ts) against real peer ports over loopback TLS: a
 * keyless machine founds a network when nobody holds one, asks a member when there is one
 * and holds its key once a person lets it in; a member whose key went stale asks again and
 * never founds; a member whose key is fine asks nobody.
 */
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { Newcomer } from '../../../daemon/admission/index.js'
import { loadNetworkKey, sealNetworkKey } from '../../../daemon/identity/index.js'
import { type AdmittingMachine, admittingMachine, machine, networkKey, peerCall, peerServer, silent } from '../../lib/peer-tls.js'

type Address = { host: string; port: number }

interface Asker {
  newcomer: Newcomer
  /** One round of asking, as its timer runs it. */
  round: () => Promise<void>
}

function asker(
  t: Test,
  m: AdmittingMachine,
  opts: { candidates?: Address[]; holders?: Address[]; stale?: () => boolean; windowEndsAt?: number } = {},
): Asker {
  const newcomer = new Newcomer({
    admission: m.admission,
    tls: m.tls,
    identity: m.identity,
    name: 'newcomer',
    network: 'default',
    candidates: () => opts.candidates ?? [],
    discoveryWindow: {
      over: () => Date.now() >= (opts.windowEndsAt ?? 0),
      remaining: () => Math.max(0, (opts.windowEndsAt ?? 0) - Date.now()),
    },
    staleKey: opts.stale ?? (() => false),
    holders: () => opts.holders ?? [],
    log: silent,
  })
  t.teardown(() => newcomer.stop())
  const internals = newcomer as unknown as { round: () => Promise<void> }
  return { newcomer, round: () => internals.round() }
}

/** Resolves once `ok()` holds, checked on each `changed`; fails after `ms` (a guard, not a wait). */
function until(m: AdmittingMachine, ok: () => boolean, ms = 8000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (ok()) return resolve()
    const check = () => {
      if (!ok()) return
      clearTimeout(timer)
      m.admission.off('changed', check)
      resolve()
    }
    const timer = setTimeout(() => {
      m.admission.off('changed', check)
      reject(new Error(`not within ${ms} ms (standing ${m.admission.standing})`))
    }, ms)
    m.admission.on('changed', check)
  })
}

const blob = `/peer/v1/blobs/${'a'.repeat(64)}`

t.test('a keyless machine with nobody to ask founds a network once the window is over', async (t) => {
  const n = await admittingMachine(t, join(t.testdir(), 'n'), null)
  const how: string[] = []
  n.admission.on('member', (key) => how.push(key.id))
  const { newcomer } = asker(t, n, { windowEndsAt: Date.now() - 1 })
  newcomer.start()
  await until(n, () => n.admission.key() !== null)
  t.equal(n.admission.standing, 'member')
  t.same(how, [n.admission.key()!.id], 'said once')
  t.ok((await loadNetworkKey(n.dataDir))!.equals(n.admission.key()), 'saved in the data folder')
})

t.test('before the window is over, a keyless machine with nobody to ask waits', async (t) => {
  const n = await admittingMachine(t, join(t.testdir(), 'n'), null)
  const { round } = asker(t, n, { windowEndsAt: Date.now() + 60_000 })
  await round()
  await round()
  t.equal(n.admission.key(), null)
  t.equal(n.admission.standing, 'alone')
})

t.test('two keyless machines: the lower node id founds, the other waits and then asks it', async (t) => {
  const root = t.testdir()
  const [x, y] = await Promise.all([admittingMachine(t, join(root, 'x'), null), admittingMachine(t, join(root, 'y'), null)])
  const [low, high] = x!.identity.nodeId < y!.identity.nodeId ? [x!, y!] : [y!, x!]
  const lowAsks = asker(t, low, { candidates: [high.at] })
  const highAsks = asker(t, high, { candidates: [low.at] })
  await highAsks.round()
  t.equal(high.admission.key(), null, 'the higher one does not found while a lower keyless one answers')
  t.equal(high.admission.standing, 'alone')
  await lowAsks.round()
  t.not(low.admission.key(), null, 'the lower one founds')
  await highAsks.round()
  t.equal(high.admission.key(), null, 'the higher one still holds no key')
  t.equal(high.admission.standing, 'asking', 'it asks the founder')
  t.match(low.admission.asking.all(), [{ peer: { nodeId: high.identity.nodeId } }])
})

t.test('a keyless machine asks a member, is asking, and holds the member’s key once a person lets it in', async (t) => {
  const root = t.testdir()
  const key = networkKey()
  const m = await admittingMachine(t, join(root, 'member'), key)
  const n = await admittingMachine(t, join(root, 'newcomer'), null)
  const { newcomer } = asker(t, n, { candidates: [m.at], windowEndsAt: Date.now() - 1 })
  const started = Date.now()
  newcomer.start()
  await until(n, () => n.admission.standing === 'asking')
  t.equal(n.admission.key(), null, 'no key yet, and it did not found one although the window is over')
  t.match(m.admission.asking.all(), [{ name: 'newcomer', peer: { nodeId: n.identity.nodeId } }], 'listed at the member')

  t.ok(m.admission.admit(n.identity.nodeId, 'alice'))
  await until(n, () => n.admission.key() !== null)
  t.ok(n.admission.key()!.equals(key), 'it holds the member’s key')
  t.equal(n.admission.standing, 'member')
  t.ok(Date.now() - started < 9000, 'within a couple of rounds')
  t.ok((await loadNetworkKey(n.dataDir))!.equals(key), 'saved')
  t.equal((await peerCall(n, m.server.port, 'GET', blob)).status, 404, 'and now proves it at the member')
})

t.test('a keyless machine refused by every member it asks is refused; asking elsewhere too, it is asking', async (t) => {
  const root = t.testdir()
  const key = networkKey()
  const [m1, m2] = await Promise.all([admittingMachine(t, join(root, 'm1'), key), admittingMachine(t, join(root, 'm2'), key)])
  const n = await admittingMachine(t, join(root, 'n'), null)
  const only = asker(t, n, { candidates: [m1!.at] })
  await only.round()
  m1!.admission.refuse(n.identity.nodeId, 'alice')
  await only.round()
  t.equal(n.admission.standing, 'refused')
  const both = asker(t, n, { candidates: [m1!.at, m2!.at] })
  await both.round()
  t.equal(n.admission.standing, 'asking', 'one member still has it on its panel')
  t.equal(n.admission.key(), null)
})

t.test('a key it cannot open is ignored: it keeps asking and holds nothing', async (t) => {
  const root = t.testdir()
  const key = networkKey()
  const rogue = machine()
  const there = await peerServer(t, rogue, {
    join: async (_req, res) => {
      const sealedKey = await sealNetworkKey(networkKey(), machine().identity.publicKey) // sealed to someone else
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ state: 'admitted', sealedKey }))
    },
  })
  const m = await admittingMachine(t, join(root, 'member'), key)
  const n = await admittingMachine(t, join(root, 'n'), null)
  const { round } = asker(t, n, { candidates: [{ host: '127.0.0.1', port: there.port }, m.at] })
  await round()
  t.equal(n.admission.key(), null)
  t.equal(n.admission.standing, 'asking', 'the member still answered')
})

t.test('a member with a stale key asks a holder of the new key, is asking, never founds, and is let in again', async (t) => {
  const root = t.testdir()
  const [oldKey, newKey] = [networkKey(), networkKey()]
  const m = await admittingMachine(t, join(root, 'member'), newKey)
  const s = await admittingMachine(t, join(root, 'stale'), oldKey)
  const founded: string[] = []
  s.admission.on('member', (k) => founded.push(k.id))
  const { round } = asker(t, s, { candidates: [], holders: [m.at], stale: () => true, windowEndsAt: Date.now() - 1 })

  await round()
  t.equal(s.admission.standing, 'asking')
  t.ok(s.admission.key()!.equals(oldKey), 'it keeps its old key meanwhile')
  t.match(m.admission.asking.all(), [{ peer: { nodeId: s.identity.nodeId } }], 'listed at the member')
  await round()
  t.equal(s.admission.standing, 'asking', 'still asking')
  t.same(founded, [], 'never founds')
  t.equal(m.calls.join, 2)

  m.admission.admit(s.identity.nodeId, 'alice')
  await round()
  t.ok(s.admission.key()!.equals(newKey), 'holds the new key')
  t.equal(s.admission.standing, 'member')
})

t.test('a stale member with no holder answering does not found a network of its own', async (t) => {
  const root = t.testdir()
  const oldKey = networkKey()
  const s = await admittingMachine(t, join(root, 'stale'), oldKey)
  const gone = await admittingMachine(t, join(root, 'gone'), networkKey())
  await gone.server.close()
  const founded: string[] = []
  s.admission.on('member', (k) => founded.push(k.id))
  const { round } = asker(t, s, { holders: [gone.at], candidates: [gone.at], stale: () => true, windowEndsAt: Date.now() - 1 })
  await round()
  t.same(founded, [])
  t.ok(s.admission.key()!.equals(oldKey), 'the same key')
})

t.test('a member whose key is accepted asks nobody, and a stale one that is accepted again stops asking', async (t) => {
  const root = t.testdir()
  const [oldKey, newKey] = [networkKey(), networkKey()]
  const m = await admittingMachine(t, join(root, 'member'), newKey)
  const s = await admittingMachine(t, join(root, 'fine'), oldKey)
  let stale = false
  const { round } = asker(t, s, { candidates: [m.at], holders: [m.at], stale: () => stale })
  await round()
  await round()
  t.equal(m.calls.join, 0, 'no request reached the member')
  t.equal(s.admission.standing, 'member')

  stale = true
  await round()
  t.equal(s.admission.standing, 'asking')
  t.equal(m.calls.join, 1)
  stale = false
  await round()
  t.equal(s.admission.standing, 'member', 'accepted again')
  t.equal(m.calls.join, 1, 'and no more asking')
  t.ok(s.admission.key()!.equals(oldKey))
})

t.test('a removed machine asking with its old key gets nothing and founds nothing', async (t) => {
  const root = t.testdir()
  const [oldKey, newKey] = [networkKey(), networkKey()]
  const m = await admittingMachine(t, join(root, 'member'), newKey)
  const c = await admittingMachine(t, join(root, 'removed'), oldKey)
  await m.admission.removed.add({
    sha256: c.identity.sha256,
    nodeId: c.identity.nodeId,
    fingerprint: c.identity.fingerprint,
    name: 'c',
    by: 'alice',
    at: 1,
  })
  const { round } = asker(t, c, { holders: [m.at], stale: () => true })
  await round()
  await round()
  t.ok(c.admission.key()!.equals(oldKey), 'no new key')
  t.not(c.admission.standing, 'member', 'not shown as a member')
  t.same(m.admission.asking.all(), [], 'not listed at the member')
})
