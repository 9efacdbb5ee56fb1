/**
 * The relay's handshake and the follower's judgement of its answer, together, over random
 * pairs of logs: when the two logs share at least their first entry (every partition of one
 * network does), the client keeps exactly up to the newest checkpoint both have and gets the
 * rest; when they share nothing, the client keeps everything and refuses the relay; an empty
 * log takes everything. The same message at the same number behind different entries (a
 * resubmission after a failover) is not a point in common. A hello's checkpoints stay within
 * the schema's 64 up to MAX_SEQ.
 */
import t from 'tap'
import { MAX_SEQ, PROTOCOL_VERSION, parseFrame, type Entry, type Hello, type OrderStatement, type Welcome } from '../../../shared/index.js'
import { handshake } from '../../../daemon/relay/handshake.js'
import { judgeWelcome } from '../../../daemon/replica/index.js'
import { EntryLog, GENESIS } from '../../../daemon/store/index.js'
import type { Sub } from '../../../daemon/store/types.js'
import { seqKey } from '../../../daemon/store/keys.js'
import { seededRandom as random } from '../../lib/seeded.js'

/**
 * The store's own EntryLog (its checkpoint rule included) over no database: entry `seq` has
 * id `idOf(seq)` (at least 8 characters, as the schema wants), up to `head`. Its chain value
 * stands for the history up to `seq`, named by `historyOf(seq)` (by default the id, which
 * differs exactly where these logs' histories do): FNV-1a, not SHA-256, in 64 hex digits as
 * the schema wants, so that a log of MAX_SEQ entries needs none of the others.
 */
function logOf(head: number, idOf: (seq: number) => string, historyOf: (seq: number) => string = idOf): EntryLog {
  const chainOf = (seq: number) => (seq === 0 ? GENESIS : fakeChain(`${seq}:${historyOf(seq)}`))
  const inLog = (key: string, lowest: number) => {
    const seq = Number(key)
    return seq >= lowest && seq <= head && key === seqKey(seq) ? seq : undefined
  }
  const entries = {
    get: async (key: string) => {
      const seq = inLog(key, 1)
      return seq === undefined ? undefined : ({ id: idOf(seq), seq } as Entry)
    },
  } as unknown as Sub<Entry>
  const chainValues = {
    get: async (key: string) => {
      const seq = inLog(key, 0)
      return seq === undefined ? undefined : chainOf(seq)
    },
  } as unknown as Sub<string>
  const log = new EntryLog(entries, entries as unknown as Sub<number>, chainValues)
  log.setHead(head, chainOf(head))
  return log
}
function fakeChain(history: string): string {
  let h = 0x811c9dc5
  for (const c of history) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0
  return h.toString(16).padStart(8, '0').repeat(8)
}
const hello = async (log: EntryLog): Promise<Hello> => ({
  type: 'hello',
  proto: PROTOCOL_VERSION,
  network: 'lab',
  nodeId: '0123456789abcdef',
  name: 'lab-2',
  startedAt: 1,
  peerPort: 47801,
  head: log.head,
  checkpoints: await log.checkpoints(),
})
const welcome = (from: number, head: number): Welcome => ({
  type: 'welcome',
  relayId: 'fedcba9876543210',
  term: 1,
  head,
  from,
  maxFileBytes: 1,
  // Not read by judgeWelcome: the statements are order-check.ts's (test/daemon/replica/order.test.ts).
  at: statement(from),
  tip: statement(head),
})
function statement(seq: number): OrderStatement {
  return { network: 'lab', relayId: 'fedcba9876543210', term: 1, seq, chain: GENESIS, sig: `${'A'.repeat(86)}==` }
}

t.test('random pairs of logs: shared history is kept up to a common checkpoint, none is refused', async (t) => {
  const rnd = random(0x4ea1)
  const int = (n: number) => Math.floor(rnd() * n)
  const failures: string[] = []
  let healed = 0
  let strangers = 0
  for (let round = 0; round < 500; round++) {
    // Often tiny logs (the edges: 0, 1, 2 entries), sometimes long ones.
    const size = () => (rnd() < 0.5 ? int(4) : int(5000))
    const shared = size()
    const clientHead = shared + size()
    const relayHead = shared + size()
    const client = logOf(clientHead, (s) => (s <= shared ? `shared-${s}` : `client-${s}`))
    const relay = logOf(relayHead, (s) => (s <= shared ? `shared-${s}` : `relay-${s}`))
    const h = await hello(client)
    const where = `round ${round}: shared ${shared}, client ${clientHead}, relay ${relayHead}`
    if (!parseFrame(JSON.stringify(h)).ok) failures.push(`${where}: the hello does not parse`)
    const result = await handshake(h, 'lab', relay)
    if (!result.ok) {
      failures.push(`${where}: handshake refused ${result.code}`)
      continue
    }
    const verdict = judgeWelcome(welcome(result.from, relayHead), { head: clientHead, checkpoints: h.checkpoints })
    const common = Math.min(shared, clientHead, relayHead)
    if (clientHead === 0) {
      if (!verdict.ok || result.from !== 0) failures.push(`${where}: an empty log must take everything from 0`)
    } else if (common === 0) {
      strangers++
      if (!verdict.ok || result.from !== 0) failures.push(`${where}: no history in common: everything from 0 (ours resubmitted)`)
    } else {
      healed++
      const skipped = h.checkpoints.some((cp) => cp.seq > result.from && cp.seq <= common)
      if (!verdict.ok) failures.push(`${where}: refused ${verdict.code}`)
      else if (result.from < 1 || result.from > common || skipped) failures.push(`${where}: from ${result.from}`)
    }
  }
  t.same(failures, [], '500 random pairs of logs')
  t.ok(healed > 100 && strangers > 50, `both kinds were tried (${healed} sharing history, ${strangers} not)`)
})

t.test('a log at MAX_SEQ still fits its checkpoints in one hello', async (t) => {
  const h = await hello(logOf(MAX_SEQ, (s) => `entry-${String(s).padStart(4, '0')}`))
  t.ok(h.checkpoints.length <= 64, `${h.checkpoints.length} checkpoints`)
  t.equal(h.checkpoints.at(-1)?.seq, 1, 'the first entry among them')
  t.ok(parseFrame(JSON.stringify(h)).ok, 'the hello parses')
})

t.test('a hello with a checkpoint past its own head is absurd', async (t) => {
  const h = await hello(logOf(10, (s) => `entry-${String(s).padStart(4, '0')}`))
  const lie = { ...h, head: 3 }
  t.match(
    await handshake(
      lie,
      'lab',
      logOf(10, (s) => `entry-${String(s).padStart(4, '0')}`),
    ),
    { ok: false, code: 'claim_absurd' },
  )
  t.match(
    await handshake(
      h,
      'lab',
      logOf(10, (s) => `entry-${String(s).padStart(4, '0')}`),
    ),
    { ok: true, from: 10 },
    'the true hello is welcomed',
  )
})

t.test('the same message at the same number behind different entries is not a point in common', async (t) => {
  // After a failover: the old relay ordered a, then x; the new one, which never got a, ordered
  // b, then x again from its author's outbox. Both logs have x at 12, after different histories.
  const idOf = (side: string) => (s: number) => (s <= 10 ? `shared-${s}` : s === 11 ? `${side}-11` : `resubmitted-${s}`)
  const historyOf = (side: string) => (s: number) => (s <= 10 ? `shared up to ${s}` : `${side}'s up to ${s}`)
  const client = logOf(12, idOf('client'), historyOf('client'))
  const relay = logOf(14, idOf('relay'), historyOf('relay'))
  const h = await hello(client)
  t.ok(
    h.checkpoints.some((cp) => cp.seq === 12 && cp.chain !== undefined),
    'the hello carries the chain at its checkpoints',
  )
  const result = await handshake(h, 'lab', relay)
  t.match(result, { ok: true, from: 10 }, 'the relay answers 10, where the histories agree, not 12 where the ids do')
  t.equal(await relay.chainAt(10), await client.chainAt(10), 'the history up to 10 is the same on both')
  t.not(await relay.chainAt(12), await client.chainAt(12), 'and not up to 12')
  const verdict = judgeWelcome(welcome(10, 14), { head: 12, checkpoints: h.checkpoints })
  t.ok(verdict.ok, 'the follower takes that answer')

  const withoutChains = { ...h, checkpoints: h.checkpoints.map(({ seq, id }) => ({ seq, id })) }
  t.match(await handshake(withoutChains, 'lab', relay), { ok: true, from: 12 }, 'a hello without chains is still answered by id')
})
