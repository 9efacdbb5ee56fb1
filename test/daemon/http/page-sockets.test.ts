/**
 * Away, as one machine sees it: a person is away when no page of theirs has been looked at
 * for a while, or when they said so; looking at a page again, or saying so, brings them back.
 * Every change is announced once.
 */
import { EventEmitter } from 'node:events'
import t from 'tap'
import type WebSocket from 'ws'
import { PageSockets } from '../../../daemon/http/index.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
/** Just enough of a ws socket for PageSockets. */
function socket(): WebSocket {
  const ws = new EventEmitter()
  return Object.assign(ws, { OPEN: 1, readyState: 1, send: () => {}, close: () => ws.emit('close') }) as unknown as WebSocket
}

t.test('not looked at for the away time: away; looked at again: back', async (t) => {
  const pages = new PageSockets(60)
  t.teardown(() => pages.closeAll())
  let announced = 0
  pages.on('presence', () => announced++)
  const tab = socket()
  pages.add('alice', tab)
  t.same([pages.users(), pages.away()], [['alice'], []], 'a page just opened counts as seen')
  await sleep(150)
  t.same(pages.away(), ['alice'], 'nobody looked at it since')
  const before = announced
  pages.setWatching('alice', tab, true)
  t.same(pages.away(), [], 'looking at it brings her back')
  t.equal(announced, before + 1, 'announced once')
  await sleep(150)
  t.same(pages.away(), [], 'a page being looked at never goes away')
})

t.test('away by hand, until said otherwise or the last tab closes', async (t) => {
  const pages = new PageSockets(60_000)
  t.teardown(() => pages.closeAll())
  const [one, two] = [socket(), socket()]
  pages.add('bob', one)
  pages.add('bob', two)
  pages.setWatching('bob', one, true)
  pages.setAwayByHand('bob', true)
  t.same(pages.away(), ['bob'], 'away although a page is looked at')
  pages.setAwayByHand('bob', false)
  t.same(pages.away(), [])
  pages.setAwayByHand('bob', true)
  one.close()
  two.close()
  t.same(pages.users(), [], 'gone with the last tab')
  pages.add('bob', socket())
  t.same(pages.away(), [], 'a new page starts active')
})
