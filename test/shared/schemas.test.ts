/**
 * The protocol's schemas are the only thing between the network and the daemon: every frame a
 * peer sends goes through `parseFrame`, every advert seen on mDNS through `advertFromTxt`.
 * Valid ones pass untouched; anything else is refused with a message saying where and why.
 */
import t from 'tap'
import {
  Entry,
  MAX_DATE_MS,
  MAX_MESSAGE_BYTES,
  MAX_SEQ,
  MAX_TERM,
  PROTOCOL_VERSION,
  Submission,
  advertFromTxt,
  advertToTxt,
  parseFrame,
  utf8Length,
  Advert,
  type Frame,
} from '../../shared/index.js'

const NODE = '0123456789abcdef'
const OTHER = 'fedcba9876543210'
const hash = { algo: 'scrypt', N: 16384, r: 8, p: 1, salt: 'c2FsdHNhbHRzYWx0c2FsdA==', hash: 'a'.repeat(44) }

/** A well-formed order statement (shared/chain.ts); whether it is true is the follower's to check. */
function statement(seq: number, f: object = {}) {
  return { network: 'lab', relayId: OTHER, term: 2, seq, chain: 'c'.repeat(64), sig: `${'A'.repeat(86)}==`, ...f }
}

function submission(text: string, id = 'msg-00000001') {
  return { id, ts: 1_700_000_000_000, origin: NODE, body: { type: 'message.posted', room: 'general', author: 'alice', text } }
}
function account(password: object = hash, username = 'alice') {
  return { id: 'acct-0000001', ts: 1_700_000_000_000, origin: NODE, body: { type: 'account.created', username, password } }
}
function hello(extra: object = {}) {
  return {
    type: 'hello',
    proto: PROTOCOL_VERSION,
    network: 'default',
    nodeId: NODE,
    name: 'lab-1',
    startedAt: 1,
    peerPort: 47801,
    head: 3,
    checkpoints: [
      { seq: 3, id: 'entry-003' },
      { seq: 1, id: 'entry-001' },
    ],
    ...extra,
  }
}
/** parseFrame on a JSON-serialised object. */
function parse(frame: unknown) {
  return parseFrame(JSON.stringify(frame))
}
/** Why `frame` was refused, or 'accepted' (which matches none of the patterns below). */
function refusal(frame: unknown): string {
  const r = parse(frame)
  return r.ok ? 'accepted' : r.message
}

t.test('every kind of valid frame passes, unchanged', async (t) => {
  const frames: Frame[] = [
    hello() as Frame,
    { type: 'welcome', relayId: OTHER, term: 2, head: 10, from: 3, maxFileBytes: 100 * 1024 * 1024, at: statement(3), tip: statement(10) },
    {
      type: 'entries',
      entries: [{ ...account(), seq: 1, term: 1 } as Entry, { ...submission('hi 👋'), seq: 2, term: 1 } as Entry],
      order: statement(2),
    },
    { type: 'submit', submission: submission('<b>x</b>') as Submission },
    { type: 'ack', id: 'msg-00000001', seq: 7 },
    { type: 'reject', id: 'msg-00000001', code: 'unknown_author', message: 'No account "alice".' },
    {
      type: 'presence',
      users: ['alice', 'bob'],
      away: ['bob'],
      passes: [{ username: 'alice', machine: OTHER, until: 1_780_000_000_000, sig: 'A'.repeat(86) }],
    },
    {
      type: 'roster',
      relayId: OTHER,
      term: 2,
      head: 10,
      reset: true,
      peers: [{ nodeId: NODE, name: 'lab-1', host: '10.0.0.5', peerPort: 47801, startedAt: 1, head: 10, users: ['alice'], away: [] }],
      gone: [],
    },
    { type: 'typing', room: 'general', username: 'bob', on: true },
    { type: 'error', code: 'network_mismatch', message: 'Other network.' },
  ]
  for (const frame of frames) {
    const r = parse(frame)
    t.equal(r.ok, true, `${frame.type} passes`)
    if (r.ok) t.same(r.frame, frame, `${frame.type} comes out as it went in`)
  }
})

t.test('frames that are not frames are refused with a message', async (t) => {
  const notJson = parseFrame('{"type": "hello", ')
  t.same(notJson, { ok: false, message: 'frame is not JSON' })
  t.equal(parseFrame('').ok, false, 'an empty message is refused')
  t.match(refusal(42), /\(root\)/, 'a bare number')
  t.match(refusal({ type: 'gossip', peers: [] }), /type/, 'an unknown type')
  t.match(refusal({ proto: 1 }), /type/, 'a frame without a type')

  const { nodeId: _n, ...noNodeId } = hello()
  t.match(refusal(noNodeId), /nodeId/, 'a hello without nodeId')
  t.match(refusal({ type: 'ack', id: 'msg-00000001' }), /seq/, 'an ack without seq')
  t.match(refusal({ type: 'welcome', relayId: OTHER, term: 0, head: 0, from: 0 }), /term/, 'a welcome with term 0')
  t.match(refusal({ type: 'reject', id: 'msg-00000001', code: 'made_up', message: 'x' }), /code/, 'an unknown error code')
  t.match(refusal({ type: 'submit', submission: { ...submission('hi'), id: 'short' } }), /entry id/, 'a too short entry id')
  t.match(refusal({ type: 'entries', entries: [{ ...submission('hi'), seq: 0, term: 1 }] }), /seq/, 'an entry with seq 0')
  t.match(refusal({ type: 'typing', room: 'random', username: 'bob', on: true }), /room/, 'typing in a room that does not exist')
  t.match(refusal({ type: 'typing', room: 'general', username: '<script>', on: true }), /username/, 'typing by an impossible name')
  t.match(
    refusal({ type: 'roster', relayId: OTHER, term: 1, head: 0, reset: true, peers: [], gone: Array(1001).fill(OTHER) }),
    /gone/,
    'a roster part over 1,000 ids',
  )
})

t.test('a node id is exactly 16 lowercase hex digits', async (t) => {
  for (const bad of ['0123456789ABCDEF', '0123456789abcde', '0123456789abcdef0', '0123456789abcdeg', '']) {
    t.match(refusal(hello({ nodeId: bad })), /node id is 16 lowercase hex digits/, `node id ${JSON.stringify(bad)}`)
  }
  t.match(refusal({ type: 'welcome', relayId: 'relay', term: 1, head: 0, from: 0 }), /relayId/, 'a welcome from a bad relay id')
})

t.test("message text: at most 16 KiB of UTF-8 (blank text is the relay's to refuse: a message may be only files)", async (t) => {
  const submit = (text: string) => ({ type: 'submit', submission: submission(text) })
  t.equal(parse(submit(' x ')).ok, true, 'text with whitespace around it passes')

  t.equal(parse(submit('a'.repeat(MAX_MESSAGE_BYTES))).ok, true, 'exactly 16 KiB of ASCII passes')
  t.match(refusal(submit('a'.repeat(MAX_MESSAGE_BYTES + 1))), /message_too_large/, '16 KiB + 1 byte of ASCII')
  const fits = '👋'.repeat(MAX_MESSAGE_BYTES / 4)
  t.equal(utf8Length(fits), MAX_MESSAGE_BYTES)
  t.equal(parse(submit(fits)).ok, true, '4096 waves (16384 bytes) pass')
  const over = '👋'.repeat(5462) // 5462 UTF-16 pairs: under 16 Ki code units, 21848 bytes
  t.ok(over.length < 16 * 1024 * 2 && utf8Length(over) > MAX_MESSAGE_BYTES)
  t.match(refusal(submit(over)), /message_too_large/, '5462 waves')
  t.equal(Submission.safeParse(submission(over)).success, false, 'the Submission schema refuses it too')
  t.equal(Entry.safeParse({ ...submission(over), seq: 1, term: 1 }).success, false, 'and so does the Entry schema')
})

t.test('a timestamp is one a Date can hold: up to 8.64e15, never 9e15', async (t) => {
  const at = (ts: number) => ({ ...submission('hi'), ts })
  const entry = (ts: number) => ({ ...at(ts), seq: 1, term: 1 })
  for (const ts of [0, 1_700_000_000_000, Date.now(), MAX_DATE_MS]) {
    t.ok(Submission.safeParse(at(ts)).success, `a submission at ${ts} passes`)
    t.ok(Entry.safeParse(entry(ts)).success, `a follower takes an entry at ${ts}`)
  }
  t.ok(Number.isFinite(new Date(MAX_DATE_MS).getTime()), 'the bound is a time a Date can hold')
  for (const ts of [MAX_DATE_MS + 1, 9e15, Number.MAX_SAFE_INTEGER]) {
    t.notOk(Number.isFinite(new Date(ts).getTime()), `${ts} is no time at all to a Date`)
    t.match(refusal({ type: 'submit', submission: at(ts) }), /submission\.ts: a timestamp is at most 8\.64e15/, `a submission at ${ts}`)
    t.match(refusal({ type: 'entries', entries: [entry(ts)] }), /entries\.0\.ts/, `an entry at ${ts} in a catch-up frame`)
  }
})

t.test('arrays are bounded', async (t) => {
  const cps = (n: number) => Array.from({ length: n }, (_, i) => ({ seq: n - i, id: `entry-${String(n - i).padStart(4, '0')}` }))
  t.equal(parse(hello({ checkpoints: cps(64) })).ok, true, '64 checkpoints pass')
  t.match(refusal(hello({ checkpoints: cps(65) })), /checkpoints/, '65 checkpoints')
  const entries = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ ...submission('x', `msg-${String(i).padStart(8, '0')}`), seq: i + 1, term: 1 }))
  t.equal(parse({ type: 'entries', entries: entries(2000), order: statement(2000) }).ok, true, '2000 entries in one frame pass')
  t.match(refusal({ type: 'entries', entries: entries(2001), order: statement(2001) }), /entries/, '2001 entries in one frame')
  t.match(refusal({ type: 'entries', entries: [], order: statement(1) }), /entries/, 'an entries frame with none')
})

t.test('the relay’s order statements are bounded and required', async (t) => {
  const frame = (order: unknown) => ({ type: 'entries', entries: [{ ...submission('x'), seq: 1, term: 1 }], order })
  t.equal(parse(frame(statement(1))).ok, true, 'a well-formed statement passes')
  t.match(
    refusal({ type: 'entries', entries: [{ ...submission('x'), seq: 1, term: 1 }] }),
    /order/,
    'entries without a statement (a protocol 5 relay)',
  )
  t.match(refusal(frame(statement(1, { chain: 'C'.repeat(64) }))), /order\.chain/, 'a chain in upper case')
  t.match(refusal(frame(statement(1, { chain: 'c'.repeat(63) }))), /order\.chain/, 'a chain one digit short')
  t.match(refusal(frame(statement(1, { sig: 'A'.repeat(200) }))), /order\.sig/, 'a signature that is no Ed25519 signature')
  t.match(refusal(frame(statement(1, { term: MAX_TERM + 1 }))), /order\.term/, 'a term past the bound')
  t.match(refusal(frame(statement(1, { network: 'n'.repeat(64) }))), /order\.network/, 'a network name past 63')
  const welcome = { type: 'welcome', relayId: OTHER, term: 2, head: 10, from: 3, maxFileBytes: 1, at: statement(3) }
  t.match(refusal(welcome), /tip/, 'a welcome without the statement of its head')
})

t.test('a replicated password hash must have parameters log-in can afford', async (t) => {
  const submit = (password: object) => ({ type: 'submit', submission: account(password) })
  t.equal(parse(submit(hash)).ok, true, 'the parameters the daemon uses pass')
  t.equal(parse(submit({ ...hash, N: 2 ** 17, r: 16, p: 4 })).ok, true, 'the largest allowed pass')
  t.match(refusal(submit({ ...hash, N: 2 ** 18 })), /password\.N/, 'N = 2^18 (too large)')
  t.match(refusal(submit({ ...hash, N: 2 ** 30 })), /password\.N/, 'N = 2^30')
  t.match(refusal(submit({ ...hash, N: 512 })), /password\.N/, 'N = 512 (too small)')
  t.match(refusal(submit({ ...hash, r: 17 })), /password\.r/, 'r = 17')
  t.match(refusal(submit({ ...hash, p: 5 })), /password\.p/, 'p = 5')
  t.match(refusal(submit({ ...hash, algo: 'md5' })), /password\.algo/, 'another algorithm')
  t.match(refusal(submit({ ...hash, salt: 'short' })), /password\.salt/, 'a short salt')
  // node:crypto scrypt throws ERR_CRYPTO_INVALID_SCRYPT_PARAMS for an N that is not a power of
  // two, so such a hash in the log makes log-in of that account a 500 on every replica.
  t.equal(parse(submit({ ...hash, N: 3000 })).ok, false, 'N = 3000 (not a power of two) is refused')
  t.match(refusal({ type: 'submit', submission: account(hash, 'a b') }), /username/, 'a username with a space')
})

const advert: Advert = {
  proto: PROTOCOL_VERSION,
  network: 'lab-net',
  nodeId: NODE,
  name: 'Kitchen PC',
  role: 'client',
  term: 4,
  head: 1342,
  startedAt: 1_795_638_669_332,
  peerPort: 47801,
  relayId: OTHER,
}

t.test('an advert survives the trip through a TXT record', async (t) => {
  const txt = advertToTxt(advert)
  for (const [k, v] of Object.entries(txt)) t.type(v, 'string', `TXT ${k} is a string`)
  t.same(advertFromTxt(txt), advert, 'a client advert round-trips')
  const relay: Advert = { ...advert, role: 'relay', relayId: null }
  t.same(advertFromTxt(advertToTxt(relay)), relay, 'a relay advert without relayId round-trips')
  const fresh: Advert = { ...advert, role: 'electing', term: 0, head: 0, relayId: null }
  t.same(advertFromTxt(advertToTxt(fresh)), fresh, 'a brand-new daemon round-trips')
})

t.test('junk TXT records are not adverts', async (t) => {
  const txt = advertToTxt(advert)
  const junk: [string, Record<string, unknown>][] = [
    ['an empty record', {}],
    ['a record of another service', { path: '/', version: '2' }],
    ['a missing node id', { ...txt, id: undefined }],
    ['an upper-case node id', { ...txt, id: NODE.toUpperCase() }],
    ['a non-numeric term', { ...txt, term: 'four' }],
    ['a negative head', { ...txt, head: '-1' }],
    ['a fractional port', { ...txt, pp: '47801.5' }],
    ['port 0', { ...txt, pp: '0' }],
    ['port 70000', { ...txt, pp: '70000' }],
    ['protocol 0', { ...txt, v: '0' }],
    ['an unknown role', { ...txt, role: 'king' }],
    ['a bad relay id', { ...txt, rl: 'nobody' }],
    ['an empty network', { ...txt, net: '' }],
    ['numbers given as numbers', { ...txt, term: 4 }],
    ['binary values', { ...txt, id: Buffer.from(NODE) }],
  ]
  for (const [what, record] of junk) t.equal(advertFromTxt(record), null, what)
})

t.test('terms and log positions are bounded: MAX_TERM and MAX_SEQ pass, one more is refused', async (t) => {
  const welcome = (f: object) => ({
    type: 'welcome',
    relayId: OTHER,
    term: 2,
    head: 10,
    from: 3,
    maxFileBytes: 1,
    at: statement(3),
    tip: statement(10),
    ...f,
  })
  const roster = (f: object) => ({ type: 'roster', relayId: OTHER, term: 2, head: 10, reset: true, peers: [], gone: [], ...f })
  const peer = (head: number) => ({ nodeId: NODE, name: 'a', host: 'h', peerPort: 1, startedAt: 1, head, users: [], away: [] })
  const cases: [string, (n: number) => unknown, number][] = [
    ['welcome term', (n) => welcome({ term: n }), MAX_TERM],
    ['welcome head', (n) => welcome({ head: n }), MAX_SEQ],
    ['welcome from', (n) => welcome({ head: MAX_SEQ, from: n }), MAX_SEQ],
    ['roster term', (n) => roster({ term: n }), MAX_TERM],
    ['roster head', (n) => roster({ head: n }), MAX_SEQ],
    ['a roster peer’s head', (n) => roster({ peers: [peer(n)] }), MAX_SEQ],
    ['handover term', (n) => ({ type: 'handover', successor: NODE, term: n }), MAX_TERM],
    ['hello head', (n) => hello({ head: n }), MAX_SEQ],
    ['a checkpoint', (n) => hello({ head: 3, checkpoints: [{ seq: n, id: 'entry-003' }] }), MAX_SEQ],
    ['ack seq', (n) => ({ type: 'ack', id: 'msg-00000001', seq: n }), MAX_SEQ],
  ]
  for (const [what, frame, max] of cases) {
    t.equal(parse(frame(max)).ok, true, `${what} at ${max} passes`)
    for (const n of [max + 1, Number.MAX_SAFE_INTEGER]) t.equal(refusal(frame(n)) === 'accepted', false, `${what} at ${n} is refused`)
  }
  // A log written before the bounds must still replicate: entries keep their own schema.
  const old = { ...submission('hi'), seq: 1, term: 2 ** 53 - 1 }
  t.equal(parse({ type: 'entries', entries: [old], order: statement(1) }).ok, true, 'an entry stamped with a huge term still passes')
})

t.test('an advert past the bounds is not an advert', async (t) => {
  const txt = advertToTxt(advert)
  t.equal(advertFromTxt({ ...txt, term: String(MAX_TERM) })?.term, MAX_TERM, 'term MAX_TERM')
  t.equal(advertFromTxt({ ...txt, head: String(MAX_SEQ) })?.head, MAX_SEQ, 'head MAX_SEQ')
  for (const term of [MAX_TERM + 1, 2 ** 53 - 1]) t.equal(advertFromTxt({ ...txt, term: String(term) }), null, `term ${term}`)
  for (const head of [MAX_SEQ + 1, 2 ** 53 - 1]) t.equal(advertFromTxt({ ...txt, head: String(head) }), null, `head ${head}`)
  // The peer port's `GET /peer/v1/advert` is parsed by the schema itself.
  t.notOk(Advert.safeParse({ ...advert, term: MAX_TERM + 1 }).success, 'the Advert schema refuses the term')
  t.notOk(Advert.safeParse({ ...advert, head: MAX_SEQ + 1 }).success, 'and the head')
  t.ok(MAX_SEQ + 1 < Number.MAX_SAFE_INTEGER && MAX_TERM + 1 < Number.MAX_SAFE_INTEGER, 'both bounds are well inside safe integers')
})
