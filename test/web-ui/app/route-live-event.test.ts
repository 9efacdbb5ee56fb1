/**
 * Where a live message goes: into the list of the room on screen, and nowhere else. Before
 * any room is shown (a reloaded page whose live feed connected while its room list was still
 * on the way) it is counted in the sidebar but not drawn: the room's history, read after it
 * came, has it, and a row drawn now would be taken away when the room opens and drawn again.
 * A real Conversation, with the parts it touches standing in for the page.
 */
import t from 'tap'
import type { Message, RoomSummary } from '../../../shared/index.js'
import { routeLiveEvent, type LiveEventTargets } from '../../../web-ui/src/app/route-live-event.js'
import { Conversation, type ConversationParts } from '../../../web-ui/src/timeline/conversation.js'
import type { Api } from '../../../web-ui/src/app/api.js'
import { roomSummary } from '../lib/rooms.js'

const message: Message = { id: 'liveMessage000001', seq: 7, room: 'general', author: 'bob', text: 'hello', ts: 1 }

const room = (id: string): RoomSummary => roomSummary({ id })

function page() {
  const drawn: string[] = []
  const noted: string[] = []
  const idle = () => undefined
  const parts = {
    timeline: {
      add: (ms: Message[]) => {
        drawn.push(...ms.map((m) => m.id))
        return ms
      },
      get size() {
        return drawn.length
      },
    },
    reads: { sync: idle },
    newer: { mayHaveMore: false },
    typing: { messageFrom: idle },
    composer: { setPlaceholder: idle, text: '' },
    emptyNote: { hidden: false },
    jump: { arrived: idle },
  } as unknown as ConversationParts
  const conversation = new Conversation({} as Api, parts, () => 'dana', idle)
  const to = {
    me: () => 'dana',
    conversation,
    rooms: { noteMessage: (m: Message) => void noted.push(m.id) },
    showTotals: idle,
  } as unknown as LiveEventTargets
  return { conversation, to, drawn, noted }
}

t.test('before any room is shown, a live message is counted but not drawn', async (t) => {
  const { to, drawn, noted } = page()
  routeLiveEvent({ type: 'message', message }, to)
  t.same(drawn, [], 'not drawn: the history read when general opens has it')
  t.same(noted, [message.id], 'the sidebar hears of it')
})

t.test('once its room is on screen, a live message is drawn', async (t) => {
  const { conversation, to, drawn } = page()
  // Its details, not a switch: shows the room without loading its history.
  await conversation.open(room('general'), false)
  routeLiveEvent({ type: 'message', message }, to)
  t.same(drawn, [message.id])
})

t.test('a message for another room than the one on screen is only counted', async (t) => {
  const { conversation, to, drawn, noted } = page()
  await conversation.open(room('design'), false)
  routeLiveEvent({ type: 'message', message }, to)
  t.same(drawn, [])
  t.same(noted, [message.id])
})
