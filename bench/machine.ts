/**
 * The bench's side of the encrypted peer port (daemon/link/tls.ts): a machine identity of its
 * own, a TLS 1.3 connection presenting its certificate, and the `sochat-proof` header that
 * proves the network key on that session. What a daemon does when it dials, done here rather
 * than with `PeerTls.connect` because the load generators spread their sockets over
 * 127.0.0.x source addresses and `PeerTls.connect` takes no `localAddress`.
 *
 * A context per identity is built once, before anything is timed (building one costs
 * milliseconds: it is set-up, not link cost). Sessions are not resumed: each bench link is a
 * machine's first connection, where a daemon has no ticket either (link/sessions.ts).
 */
import { generateKeyPairSync } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { connect, createSecureContext, type SecureContext, type TLSSocket } from 'node:tls'
import { identityOf, machineCertificate, NetworkKey, networkProof, PROOF_HEADER } from '../daemon/identity/index.js'

export interface BenchMachine {
  nodeId: string
  context: SecureContext
}

/** A fresh Ed25519 machine identity and its TLS context. */
export function benchMachine(): BenchMachine {
  const identity = identityOf(generateKeyPairSync('ed25519').privateKey)
  const key = identity.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
  // machineCertificate's random serial is DER-encoded with a leading zero byte about once in
  // 256 (first byte 0x00 or 0x80 masked to 0, then a second byte below 0x80), which OpenSSL
  // refuses ("illegal padding"): a daemon bug, reported, not ours to fix here. A new serial
  // is another draw.
  for (let attempt = 1; ; attempt++) {
    try {
      return { nodeId: identity.nodeId, context: createSecureContext({ key, cert: machineCertificate(identity), minVersion: 'TLSv1.3' }) }
    } catch (err) {
      if (attempt >= 5) throw err
    }
  }
}

/** Writes a network key file (the `--network-key-file` format) and returns its path. */
export function writeKeyFile(path: string): string {
  writeFileSync(path, `${NetworkKey.generate().toString()}\n`, { mode: 0o600 })
  return path
}

export function readKeyFile(path: string): NetworkKey {
  return NetworkKey.parse(readFileSync(path, 'utf8'), path)
}

/** TLS 1.3 to a peer port with `machine`'s certificate, resolved once the handshake is done. */
export function tlsConnect(
  machine: BenchMachine,
  host: string,
  port: number,
  localAddress?: string,
  timeoutMs = 10_000,
): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    // The options PeerTls.connect uses (no CA, no SNI, TLS 1.3 only), plus the source address.
    const socket = connect({
      host,
      port,
      ...(localAddress ? { localAddress } : {}),
      secureContext: machine.context,
      minVersion: 'TLSv1.3',
      rejectUnauthorized: false,
      servername: '',
    })
    socket.setNoDelay(true)
    const timer = setTimeout(() => socket.destroy(new Error(`no TLS handshake with ${host}:${port} within ${timeoutMs} ms`)), timeoutMs)
    socket.once('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    socket.once('secureConnect', () => {
      clearTimeout(timer)
      socket.removeAllListeners('error')
      resolve(socket)
    })
  })
}

/** The header proving `key` on this session, as the side that connected. */
export function proofHeaders(key: NetworkKey, socket: TLSSocket): Record<string, string> {
  return { [PROOF_HEADER]: networkProof(key, 'client', socket) }
}
