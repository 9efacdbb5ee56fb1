/**
 * Whether mDNS is heard: a packet from another machine counts (a query or an answer, any
 * service); our own, looped back by multicast, does not.
 */
import { EventEmitter } from 'node:events'
import t from 'tap'
import { MdnsHearing } from '../../../daemon/discovery/index.js'

t.test('only packets from other machines count as heard', async (t) => {
  let now = 5000
  const hearing = new MdnsHearing({ name: 'br0', address: '10.0.0.1' }, () => now)
  const socket = new EventEmitter()
  hearing.watch(socket)
  t.same(hearing.health(), { state: 'listening', interface: 'br0', address: '10.0.0.1', lastHeard: null, error: null }, 'nothing yet')

  socket.emit('response', { answers: [] }, { address: '10.0.0.1', port: 5353 })
  socket.emit('query', { questions: [] }, { address: '10.0.0.1', port: 5353 })
  t.equal(hearing.health().lastHeard, null, 'our own packets, looped back, are not counted')

  now = 7000
  socket.emit('query', { questions: [] }, { address: '10.0.0.9', port: 5353 })
  t.equal(hearing.health().lastHeard, 7000, "another machine's query is heard")
  now = 9000
  socket.emit('response', { answers: [] }, { address: '10.0.0.7', port: 5353 })
  t.equal(hearing.health().lastHeard, 9000, "and another machine's answer")
})

t.test('a broken socket is reported with its error', async (t) => {
  const hearing = new MdnsHearing({ name: 'br0', address: '10.0.0.1' })
  hearing.failed(new Error('bind EADDRINUSE 0.0.0.0:5353'))
  t.match(hearing.health(), { state: 'failed', error: 'bind EADDRINUSE 0.0.0.0:5353' })
})

t.test("another machine's query for SO-CHAT's service is told to the discovery window; anything else is not", async (t) => {
  const hearing = new MdnsHearing({ name: 'br0', address: '10.0.0.1' })
  const socket = new EventEmitter()
  let queried = 0
  const from: string[] = []
  hearing.watch(socket, '_sochat._tcp.local', (address) => {
    queried++
    from.push(address)
  })
  const ask = (name: unknown, address: string) => socket.emit('query', { questions: [{ name, type: 'PTR' }] }, { address, port: 5353 })

  ask('_sochat._tcp.local', '10.0.0.1')
  t.equal(queried, 0, 'our own query, looped back, is not another SO-CHAT starting')
  ask('_ipp._tcp.local', '10.0.0.9')
  socket.emit('response', { answers: [{ name: '_sochat._tcp.local' }] }, { address: '10.0.0.9', port: 5353 })
  t.equal(queried, 0, "a printer's query and an answer are not a query for our service")
  socket.emit('query', { questions: 'not a list' }, { address: '10.0.0.9', port: 5353 })
  socket.emit('query', undefined, { address: '10.0.0.9', port: 5353 })
  ask(42, '10.0.0.9')
  t.equal(queried, 0, 'malformed queries are ignored, not thrown on')
  ask('_sochat._tcp.local', '10.0.0.9')
  t.equal(queried, 1, "another machine's query for _sochat._tcp.local is")
  t.same(from, ['10.0.0.9'], 'with its address, so the window knows whose answer to wait for')
})
