/**
 * The relay's budgets on their own, with a played clock: a catch-up slot per machine and a
 * few in all; a link's submissions go at once up to the burst, then wait their turn at the
 * sustained rate, in the order they came, and one too many to hold says so; a machine's
 * budget outlives its link, and an account's spans every machine it posts from.
 */
import t from 'tap'
import { CatchUpGate, type Slot } from '../../../daemon/relay/catch-ups.js'
import { actorOf } from '../../../shared/index.js'
import { AllowanceBook, HeldSubmissions, TokenBucket, type HoldLimits, type SubmitLimits } from '../../../daemon/relay/limits.js'

const clock = () => {
  let now = 1_000_000
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms
    },
  }
}

t.test('a bucket gives its burst at once, then its rate, and never saves more than its burst', async (t) => {
  const c = clock()
  const bucket = new TokenBucket(10, 5, c.now)
  t.equal([1, 2, 3, 4, 5, 6].filter(() => bucket.take()).length, 5, 'five of six at once')
  t.equal(bucket.msUntil(), 100, 'the next in 100 ms at 10 a second')
  c.advance(100)
  t.ok(bucket.take(), 'which it gets then')
  t.notOk(bucket.take(), 'and not two')
  c.advance(60_000)
  t.equal(bucket.tokens, 5, 'a quiet minute saves up no more than the burst')
  c.advance(-5_000)
  t.equal(bucket.tokens, 5, 'a clock stepping back takes nothing away')
})

t.test('catch-ups: one per machine, a few in all; the next wait their turn in order, a few at most, for a while', async (t) => {
  const gate = new CatchUpGate({ perMachine: 1, overall: 3, waiting: 2, waitMs: 200 })
  const a = await gate.enter('machine-1')
  t.ok(a.ok, 'the first to a machine gets a slot')
  const [b, c] = await Promise.all([gate.enter('machine-2'), gate.enter('machine-3')])
  t.ok(b.ok && c.ok, 'so do two more machines')
  t.equal(gate.running, 3)

  const order: string[] = []
  const noted = (address: string) => (slot: Slot) => {
    order.push(address)
    return slot
  }
  const sameAddress = gate.enter('machine-1').then(noted('machine-1'))
  const fourth = gate.enter('machine-4').then(noted('machine-4'))
  t.equal(gate.waiting, 2, 'past three in all, the next two wait')
  t.match(await gate.enter('machine-5'), { ok: false, message: /sending its log to 3 machines/ }, 'past two waiting, busy at once')

  if (b.ok) {
    b.leave()
    b.leave()
  }
  const got = await fourth
  t.ok(got.ok, 'a slot left (twice, freeing one) goes to the first waiter that fits')
  t.same(order, ['machine-4'], 'not to a second catch-up of a machine still being sent its log')
  t.equal(gate.running, 3)
  if (a.ok) a.leave()
  t.ok((await sameAddress).ok, 'once that one is done, the machine gets its turn')

  // The gate's timer does not keep a process alive (a daemon stopping must not wait for it): this does.
  const alive = setTimeout(() => undefined, 5000)
  const late = await gate.enter('machine-6')
  clearTimeout(alive)
  t.match(late, { ok: false, message: /sending its log to 3 machines/ }, 'a waiter not served within waitMs is told busy')
  t.equal(gate.waiting, 0, 'and waits no more')
})

const MACHINE: SubmitLimits = { submitsPerSecond: 100, submitBurst: 10, bytesPerMinute: 60_000 }
/** Larger than the machine's, so the machine's budget is what these first tests meet. */
const ACCOUNT: SubmitLimits = { submitsPerSecond: 1000, submitBurst: 1000 }
const HOLD: HoldLimits = { maxHeld: 20, maxHeldBytes: 10_000 }

/** A link's queue of `machine`, with the relay's books of machine and account allowances. */
function books(c: ReturnType<typeof clock>, account = ACCOUNT) {
  const machines = new AllowanceBook(MACHINE, c.now)
  const accounts = new AllowanceBook(account, c.now)
  return {
    link: <T>(machine: string | null, accountOfItem: (item: T) => string = () => 'alice') =>
      new HeldSubmissions<T>(HOLD, machine === null ? null : () => machines.of(machine), (item) => accounts.of(accountOfItem(item))),
  }
}

t.test('submissions past the burst wait their turn, in order, and past what may be held are over', async (t) => {
  const c = clock()
  const budget = books(c).link<number>('m1')
  const offers = Array.from({ length: 31 }, (_, i) => budget.offer(i, 10))
  t.same(offers.slice(0, 10), Array(10).fill('now'), 'the burst goes at once')
  t.same(offers.slice(10, 30), Array(20).fill('held'), 'the next twenty are held')
  t.equal(offers[30], 'over', 'the one after is one too many')
  t.same(budget.due(), [], 'with no time passed, none is due')
  t.equal(budget.nextInMs(), 10, 'the first is due in 10 ms at 100 a second')
  c.advance(50)
  t.same(budget.due(), [10, 11, 12, 13, 14], 'after 50 ms, five, the first ones held')
  t.equal(budget.offer(99, 10), 'held', 'a new one waits behind those held even when there is budget')
  c.advance(1000)
  t.same(budget.due(), [15, 16, 17, 18, 19, 20, 21, 22, 23, 24], 'a second later, no more than the burst at once')
  c.advance(1000)
  t.same(budget.due(), [25, 26, 27, 28, 29, 99], 'then the rest, in the order offered')
  t.equal(budget.nextInMs(), null, 'nothing is held')
})

t.test('bytes: a minute of frames, other frames count too, and held bytes are bounded', async (t) => {
  const c = clock()
  const budget = books(c).link<string>('m1')
  t.equal(budget.offer('big', 50_000), 'now', 'within the minute')
  t.equal(budget.offer('a', 9_000), 'now', 'and this, which leaves 1,000 bytes')
  t.equal(budget.offer('b', 3_000), 'held', 'more bytes than are left wait')
  t.equal(budget.nextInMs(), 2_000, 'until the minute has refilled the 2,000 missing (1,000 a second)')
  t.equal(budget.offer('c', 8_000), 'over', 'more held bytes than may be held are over')
  c.advance(2_000)
  t.same(budget.due(), ['b'])
  c.advance(60_000)
  t.ok(budget.charge(60_000), 'a minute of presence frames is counted')
  t.notOk(budget.charge(60_000), 'and a minute beyond the budget is too much')
  t.equal(budget.offer('d', 10), 'held', 'and submissions wait for those bytes too')
  budget.clear()
  t.equal(budget.held, 0, 'a closed link holds nothing')
})

t.test("a machine that links again finds its budget spent: the next link's submissions wait their turn", async (t) => {
  const c = clock()
  const relay = books(c)
  const first = relay.link<number>('m1')
  const sent = Array.from({ length: 10 }, (_, i) => first.offer(i, 10))
  t.same(sent, Array(10).fill('now'), 'the burst goes')
  t.same(first.clear(), [], 'the link closes with nothing held')

  const again = relay.link<number>('m1')
  t.equal(again.offer(10, 10), 'held', 'linked again at once: held, not a new burst')
  t.equal(again.nextInMs(), 10, 'until the machine’s rate gives it a turn')
  c.advance(10)
  t.same(again.due(), [10], 'then it goes')

  const other = relay.link<number>('m2')
  t.equal(other.offer(0, 10), 'now', 'another machine has a budget of its own')
  const own = relay.link<number>(null)
  t.same(
    Array.from({ length: 30 }, (_, i) => own.offer(i, 10)),
    Array(30).fill('now'),
    "the relay's own submissions meet no machine budget",
  )
})

t.test('an account is held at its rate across every machine it posts from, and its link holds the rest in order', async (t) => {
  const c = clock()
  const relay = books(c, { submitsPerSecond: 5, submitBurst: 4 })
  type Item = { account: string; n: number }
  const a = relay.link<Item>('m1', (i) => i.account)
  const b = relay.link<Item>('m2', (i) => i.account)
  t.equal(a.offer({ account: 'alice', n: 1 }, 10), 'now')
  t.equal(a.offer({ account: 'alice', n: 2 }, 10), 'now')
  t.equal(b.offer({ account: 'alice', n: 3 }, 10), 'now', 'from another machine')
  t.equal(b.offer({ account: 'alice', n: 4 }, 10), 'now', 'the account’s burst of four is spent')
  t.equal(a.offer({ account: 'alice', n: 5 }, 10), 'held', 'the fifth waits, though its machine has room')
  t.equal(a.offer({ account: 'bob', n: 6 }, 10), 'held', "bob's after it on the same link waits behind it: a link's order holds")
  t.equal(b.offer({ account: 'bob', n: 7 }, 10), 'now', 'bob on another link goes at once')
  t.equal(a.nextInMs(), 200, "alice's next turn is 200 ms away at 5 a second")
  c.advance(200)
  t.same(
    a.due().map((i) => i.n),
    [5, 6],
    'then both go, in the order sent',
  )
  t.equal(b.offer({ account: 'alice', n: 8 }, 10), 'held', 'and alice is out of turns again')
})

t.test('a submission counts for the account it speaks for', async (t) => {
  t.equal(actorOf({ type: 'message.posted', room: 'general', author: 'alice', text: 'hi' }), 'alice')
  t.equal(actorOf({ type: 'room.joined', room: 'general', username: 'bob', by: 'alice' }), 'alice', 'an invitation counts for who invites')
  t.equal(actorOf({ type: 'read.marked', room: 'general', username: 'bob', seq: 3 }), 'bob')
  t.equal(
    actorOf({
      type: 'room.created',
      room: 'r-abcdefabcdef',
      kind: 'public',
      name: 'x',
      topic: '',
      creator: 'carol',
      members: ['carol'],
    }),
    'carol',
  )
})
