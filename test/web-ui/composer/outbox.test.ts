/**
 * The page's side of issue 3, in Node: reading the outbox and a send's answer defensively,
 * the `failed` event, the words of a delivery state, and what the relay notice says as the
 * statuses of a failover go by. The DOM parts are covered by chat.browser.test.ts.
 */
import t from 'tap'
import { parseUiEvent } from '../../../web-ui/src/app/ui-event-model.js'
import { failedText, PENDING_TEXT } from '../../../web-ui/src/timeline/delivery-state.js'
import { LOOKING_TEXT, RelayWatch, THIS_MACHINE_TEXT, type RelayView } from '../../../web-ui/src/timeline/relay-watch-model.js'
import { isPendingMessage, parseOutbox, parseSendAnswer } from '../../../web-ui/src/composer/sender.js'

const pending = { id: 'k3Jx9QpL0aBc', room: 'general', author: 'alice', text: 'during the gap', ts: 1_750_000_000_000 }

t.test('the outbox answer keeps only my well-formed messages of this room', async (t) => {
  t.same(parseOutbox({ pending: [pending] }, 'alice'), [pending])
  t.same(parseOutbox({ pending: [] }, 'alice'), [])
  const junk = [
    null,
    'x',
    3,
    [],
    {},
    { ...pending, id: '' },
    { ...pending, id: 7 },
    { ...pending, ts: '1' },
    { ...pending, text: null },
    { ...pending, room: undefined },
    { ...pending, author: 1 },
  ]
  t.same(parseOutbox({ pending: [...junk, pending] }, 'alice'), [pending], 'bad entries are dropped, good ones kept')
  t.same(parseOutbox({ pending: [{ ...pending, author: 'bob' }] }, 'alice'), [], 'not someone else’s')
  t.same(parseOutbox({ pending: [{ ...pending, room: 'random' }] }, 'alice'), [], 'not another room’s')
  t.same(parseOutbox({ pending: [{ ...pending, extra: true }] }, 'alice'), [{ ...pending, extra: true }], 'extra fields tolerated')
  for (const body of [undefined, null, 'text', [], {}, { pending: 'x' }, { pending: null }, { messages: [] }]) {
    t.equal(parseOutbox(body, 'alice'), null, `not an outbox: ${JSON.stringify(body)}`)
  }
  t.ok(isPendingMessage(pending))
  t.notOk(isPendingMessage({ ...pending, seq: undefined, ts: undefined }))
})

t.test('the answer to a send: sent (201), pending (202) or not understood', async (t) => {
  const message = { ...pending, seq: 42 }
  t.same(parseSendAnswer({ state: 'sent', message }), { state: 'sent', message })
  t.same(parseSendAnswer({ message }), { state: 'sent', message }, 'a daemon from before the outbox')
  t.same(parseSendAnswer({ state: 'pending', message: pending }), { state: 'pending', message: pending })
  t.equal(parseSendAnswer({ state: 'sent', message: pending }), null, 'sent without a seq is not sent')
  for (const body of [
    undefined,
    null,
    'ok',
    { state: 'pending' },
    { state: 'queued', message },
    { state: 'pending', message: { id: 'x' } },
  ]) {
    t.equal(parseSendAnswer(body), null, `dropped: ${JSON.stringify(body)}`)
  }
})

t.test('the `failed` event', async (t) => {
  const ev = { type: 'failed', id: pending.id, code: 'message_too_large', message: 'The message is over 16 KiB.' }
  t.same(parseUiEvent(JSON.stringify(ev)), ev)
  t.same(parseUiEvent(JSON.stringify({ ...ev, message: undefined })), { ...ev, message: '' }, 'no reason: the code’s sentence is used')
  for (const bad of [{ ...ev, id: '' }, { ...ev, id: 3 }, { ...ev, code: undefined }, { type: 'failed' }]) {
    t.equal(parseUiEvent(JSON.stringify(bad)), null, `dropped: ${JSON.stringify(bad)}`)
  }
  t.equal(parseUiEvent(JSON.stringify({ type: 'typing', room: 'general' })), null, 'events this page does not know are dropped')
})

t.test('delivery states are words, not colours', async (t) => {
  t.equal(PENDING_TEXT, 'waiting for the relay…')
  t.equal(failedText('The message is empty.'), 'Not sent: The message is empty.')
})

function statuses(watch: RelayWatch, list: Array<Partial<RelayView>>): Array<string | null> {
  return list.map((s) => watch.next({ role: 'client', relayId: null, relayName: null, name: 'h2', ...s }))
}

const onH1 = { role: 'client', relayId: 'id-h1', relayName: 'h1' } as const
const onH3 = { role: 'client', relayId: 'id-h3', relayName: 'h3' } as const
const electing = { role: 'electing', relayId: null, relayName: null } as const

t.test('the relay notice: moved, looking, this machine, back', async (t) => {
  t.same(
    statuses(new RelayWatch(), [onH1, onH1, electing, electing, onH3, onH3]),
    [null, null, LOOKING_TEXT, null, 'The relay moved to h3.', null],
    'a failover to another machine, said once each',
  )
  t.same(statuses(new RelayWatch(), [onH1, onH3]), [null, 'The relay moved to h3.'], 'a move with no gap in between')
  t.same(
    statuses(new RelayWatch(), [onH1, electing, { role: 'relay', relayId: 'id-h2', relayName: 'h2' }]),
    [null, LOOKING_TEXT, THIS_MACHINE_TEXT],
    'this machine took over',
  )
  t.equal(THIS_MACHINE_TEXT, 'This machine is now the relay.')
  t.same(
    statuses(new RelayWatch(), [onH1, electing, onH1]),
    [null, LOOKING_TEXT, 'Connected to the relay h1 again.'],
    'the same relay came back',
  )
  t.same(statuses(new RelayWatch(), [{ role: 'relay', relayId: 'id-h2' }, electing, { role: 'relay', relayId: 'id-h2' }]), [
    null,
    LOOKING_TEXT,
    'This machine is the relay again.',
  ])
  t.same(statuses(new RelayWatch(), [electing, onH3]), [null, 'Connected to the relay h3.'], 'opened during a gap: found, not moved')
  t.same(
    statuses(new RelayWatch(), [onH1, { role: 'client', relayId: null, relayName: null }, onH3]),
    [null, LOOKING_TEXT, 'The relay moved to h3.'],
    'a client with no relay is looking too',
  )
})

t.test('the relay notice waits for the new relay’s name', async (t) => {
  const watch = new RelayWatch()
  t.same(statuses(watch, [onH1, { role: 'client', relayId: 'id-h3', relayName: null }, onH3]), [null, null, 'The relay moved to h3.'])
  watch.reset()
  t.equal(watch.next({ ...onH3, name: 'h2' }), null, 'after a reset the first status is news again')
})
