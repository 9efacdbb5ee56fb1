/**
 * The peer port holds a floor's worth of connections while the daemon accepts them: with
 * Node's default queue of 511, a floor of machines starting at once overflowed it, the kernel
 * dropped their SYNs and they retried seconds later (bench/README.md, "10,000 links").
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import t from 'tap'
import { PEER_BACKLOG } from '../../../daemon/link/listen.js'
import { machine, networkKey, peerServer } from '../../lib/peer-tls.js'

/** The listening socket's accept queue as the kernel reports it (`ss`: Send-Q of a listener). */
function acceptQueue(port: number): number {
  const line = execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' }).trim()
  const fields = line.split(/\s+/)
  if (fields[0] !== 'LISTEN') throw new Error(`no listener on ${port}: "${line}"`)
  return Number(fields[2])
}

t.test('the peer port queues as many connections as the kernel allows, not 511', async (t) => {
  const listening = await peerServer(t, machine(networkKey()), {})
  // The kernel caps any backlog at net.core.somaxconn.
  const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'))
  t.equal(acceptQueue(listening.port), Math.min(PEER_BACKLOG, somaxconn))
})
