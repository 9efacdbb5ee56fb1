/**
 * The relay's handshake and the follower's judgement of its answer, together, over random
 * pairs of logs: when the two logs share at least their first entry (every partition of one
 * network does), the client keeps exactly up to the newest checkpoint both have and gets the
 * rest; when they share nothing, the client keeps everything and refuses the relay; an empty
 * log takes everything. A hello's checkpoints stay within the schema's 64 up to MAX_SEQ.
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
 * id `idOf(seq)` (at least 8 characters, as the schema wants), up to `head`.
 */
function logOf(head: number, idOf: (seq: number) => string): EntryLog {
  const entries = {
    get: async (key: string) => {
      const seq = Number(key)
      return seq >= 1 && seq <= head && key === seqKey(seq) ? ({ id: idOf(seq), seq } as Entry) : undefined
    },
  } as unknown as Sub<Entry>
  const log = new EntryLog(entries, entries as unknown as Sub<number>, entries as unknown as Sub<string>)
  log.setHead(head, GENESIS)
  return log
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
