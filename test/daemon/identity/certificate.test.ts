/**
 * The machine certificate is a real X.509 certificate: Node's X509Certificate parses it and
 * verifies it with its own key, `openssl x509` reads it, and every one made is valid DER (its
 * random serial included). `peerKeyOf` reads back the very names `identityOf` gives the key,
 * from the certificate OpenSSL parsed in the handshake, writing the SPKI from the raw key.
 */
import { execFileSync } from 'node:child_process'
import { X509Certificate, generateKeyPairSync } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { identityOf, machineCertificate, peerKeyOf } from '../../../daemon/identity/index.js'
import { ed25519Spki } from '../../../daemon/identity/certificate.js'
import { machine, peerServer, tlsTo } from '../../lib/peer-tls.js'

const identity = identityOf(generateKeyPairSync('ed25519').privateKey)

t.test('node:crypto parses the certificate and verifies it with its own public key', async (t) => {
  const cert = new X509Certificate(machineCertificate(identity))
  t.ok(cert.verify(cert.publicKey), 'self-signed with the machine key')
  t.same(cert.publicKey.export({ type: 'spki', format: 'der' }), identity.spki, 'it carries the machine key')
  t.equal(cert.subject, `CN=sochat-${identity.nodeId}`)
  t.equal(cert.issuer, cert.subject)
  t.notOk(cert.ca, 'not a CA')
  t.ok(new Date(cert.validTo).getUTCFullYear() === 9999, 'no expiry to speak of')
})

t.test('openssl reads it', async (t) => {
  const file = join(t.testdir(), 'machine.pem')
  writeFileSync(file, machineCertificate(identity))
  const text = execFileSync('openssl', ['x509', '-in', file, '-noout', '-text'], { encoding: 'utf8' })
  t.match(text, /Signature Algorithm: ED25519/)
  t.match(text, `Subject: CN = sochat-${identity.nodeId}`)
  t.match(text, /CA:FALSE/)
})

t.test('every certificate made is valid DER, whatever its random serial', async (t) => {
  // A serial is 16 random bytes made positive; one with a leading zero byte must be shortened
  // to stay DER (about one in 256 otherwise is not, and no peer could read it).
  const bad: string[] = []
  for (let i = 0; i < 2000 && bad.length < 3; i++) {
    const pem = machineCertificate(identity)
    try {
      new X509Certificate(pem)
    } catch (err) {
      bad.push((err as Error).message)
    }
  }
  t.same(bad, [], 'all 2000 parse')
})

t.test('peerKeyOf names the machine at the other end of a TLS socket as identityOf names its key', async (t) => {
  const server = machine()
  const listening = await peerServer(t, server)
  const client = machine()
  const socket = await tlsTo(listening.port, client)
  t.teardown(() => socket.destroy())
  const peer = peerKeyOf(socket)
  t.ok(peer)
  t.same(
    { sha256: peer!.sha256, nodeId: peer!.nodeId, fingerprint: peer!.fingerprint },
    { sha256: server.identity.sha256, nodeId: server.identity.nodeId, fingerprint: server.identity.fingerprint },
  )
  t.same(peer!.publicKey.export({ type: 'spki', format: 'der' }), server.identity.spki)
})

t.test('peerKeyOf answers again on the same client socket (Node 20 shows its certificate once only)', async (t) => {
  const server = machine()
  const listening = await peerServer(t, server)
  const socket = await tlsTo(listening.port, machine())
  t.teardown(() => socket.destroy())
  const first = peerKeyOf(socket)
  const second = peerKeyOf(socket)
  t.equal(first?.nodeId, server.identity.nodeId)
  t.equal(second?.nodeId, server.identity.nodeId, 'kept from the first time')
})

t.test('the SPKI written from the raw Ed25519 key is the one OpenSSL encodes, for any key', async (t) => {
  const differ: string[] = []
  for (let i = 0; i < 200; i++) {
    const { publicKey } = generateKeyPairSync('ed25519')
    const want = publicKey.export({ type: 'spki', format: 'der' })
    if (!ed25519Spki(publicKey).equals(want)) differ.push(want.toString('hex'))
  }
  t.same(differ, [])
  t.throws(() => ed25519Spki(generateKeyPairSync('x25519').publicKey), 'only an Ed25519 key')
})
