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
