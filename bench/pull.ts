/**
 * Run inside a host's namespace: `GET /peer/v1/blobs/SHA` from HOST:PORT and throw the bytes
 * away, timing it. The "copy over the same link" the files scenario compares with: since
 * issue 13 the peer port speaks only TLS 1.3, so with KEYFILE it is what a daemon's fetch
 * does on the wire (a machine certificate of its own, the network key's proof, peerRequest),
 * minus verifying and storing; without it a plain HTTP GET, for builds before that. It also
 * prints the CPU seconds it used (the whole process: start-up included).
 *
 *   tsx bench/pull.ts HOST PORT SHA [KEYFILE]
 */
import { generateKeyPairSync } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { request } from 'node:http'
import { identityOf } from '../daemon/identity/index.js'
import { PeerTls, peerRequest } from '../daemon/link/index.js'
import { readKeyFile } from './machine.js'

const [host, port, sha, keyFile] = process.argv.slice(2) as [string, string, string, string | undefined]
const path = `/peer/v1/blobs/${sha}`
const started = performance.now()

function drain(res: IncomingMessage): void {
  let bytes = 0
  res.on('data', (c: Buffer) => {
    bytes += c.length
  })
  res.on('end', () => {
    const cpu = process.cpuUsage()
    console.log(JSON.stringify({ status: res.statusCode, bytes, ms: performance.now() - started, cpuS: (cpu.user + cpu.system) / 1e6 }))
  })
}

function fail(err: Error): void {
  console.error(err.message)
  process.exit(1)
}

if (keyFile) {
  const key = readKeyFile(keyFile)
  const tls = new PeerTls({ identity: identityOf(generateKeyPairSync('ed25519').privateKey), networkKey: () => key })
  peerRequest(tls, { host, port: Number(port) }, 'GET', path, { timeoutMs: 30_000 }).then((a) => {
    if (!a.member) fail(new Error(`the relay answered ${a.res.statusCode} without proving the network key`))
    drain(a.res)
  }, fail)
} else {
  request({ host, port: Number(port), path }, drain)
    .on('error', fail)
    .end()
}
