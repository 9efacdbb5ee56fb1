/**
 * This machine's key: made once in the data folder (0600, PKCS#8 PEM, nothing half-written),
 * the same on every later start, refused with a stable code when corrupt or readable by
 * others, and replacing the random id of older builds. The node id and fingerprint are checked
 * against a hash computed here from the raw public key, not through the module's own export.
 */
import { createHash, createPrivateKey, generateKeyPairSync } from 'node:crypto'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { chmod, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { IdentityError } from '../../../daemon/errors/index.js'
import { KEY_FILE, formatFingerprint, loadMachineIdentity } from '../../../daemon/identity/index.js'
import { NodeId } from '../../../shared/index.js'

type Asserts = {
  ok: (v: unknown, m: string) => boolean
  equal: (a: unknown, b: unknown, m: string) => boolean
  match: (a: unknown, b: RegExp, m: string) => boolean
}
const posix = process.platform !== 'win32'
/** RFC 8410: every Ed25519 SubjectPublicKeyInfo is this header and then the 32-byte key. */
const ED25519_SPKI_HEADER = Buffer.from('302a300506032b6570032100', 'hex')

/** SHA-256 of the SPKI DER, built from the key file's raw public key (JWK `x`). */
function spkiSha256FromPem(pem: string): string {
  const raw = Buffer.from(createPrivateKey(pem).export({ format: 'jwk' }).x as string, 'base64url')
  return createHash('sha256')
    .update(Buffer.concat([ED25519_SPKI_HEADER, raw]))
    .digest('hex')
}

async function refused(t: Asserts, dataDir: string, code: string, says: RegExp) {
  const err = await loadMachineIdentity(dataDir).then(
    () => null,
    (e: unknown) => e,
  )
  t.ok(err instanceof IdentityError, 'an IdentityError')
  t.equal((err as IdentityError).code, code, `code ${code}`)
  t.match((err as Error).message, says, 'the message says how to fix it')
}

t.test('the first start makes a 0600 Ed25519 key; the id and fingerprint are its SPKI hash', async (t) => {
  const dir = join(t.testdir(), 'data') // does not exist yet: made, like a first start
  const { identity, created, replacedNodeId } = await loadMachineIdentity(dir)
  const file = join(dir, KEY_FILE)
  const pem = await readFile(file, 'utf8')
  t.ok(created, 'made')
  t.equal(replacedNodeId, undefined, 'nothing replaced')
  t.match(pem, /^-----BEGIN PRIVATE KEY-----\n/, 'PKCS#8 PEM')
  t.equal(createPrivateKey(pem).asymmetricKeyType, 'ed25519', 'Ed25519')
  if (posix) t.equal(statSync(file).mode & 0o777, 0o600, 'mode 0600')
  if (posix) t.equal(statSync(dir).mode & 0o777, 0o700, 'a new data folder is 0700')
  t.same(readdirSync(dir), [KEY_FILE], 'no temp file left behind')

  const sha256 = spkiSha256FromPem(pem)
  t.equal(identity.sha256, sha256, 'sha256 is over the SPKI DER')
  t.equal(identity.nodeId, sha256.slice(0, 16), 'node id: the first 16 hex digits')
  t.ok(NodeId.safeParse(identity.nodeId).success, 'still a valid NodeId')
  t.equal(identity.fingerprint, formatFingerprint(sha256))
  t.equal(identity.fingerprint.replaceAll('-', '').toLowerCase(), sha256.slice(0, 32), 'fingerprint: the first 128 bits')
  t.ok(identity.fingerprint.toLowerCase().replaceAll('-', '').startsWith(identity.nodeId), 'the node id starts the fingerprint')

  const again = await loadMachineIdentity(dir)
  t.notOk(again.created, 'a second start reads the key')
  t.equal(again.identity.nodeId, identity.nodeId, 'same node id')
  t.equal(again.identity.fingerprint, identity.fingerprint, 'same fingerprint')
  t.equal(await readFile(file, 'utf8'), pem, 'the key file is untouched')
})

t.test('two data folders, two keys', async (t) => {
  const root = t.testdir()
  const [a, b] = await Promise.all([loadMachineIdentity(join(root, 'a')), loadMachineIdentity(join(root, 'b'))])
  t.not(a.identity.nodeId, b.identity.nodeId)
})

t.test('a key file that is not an Ed25519 private key stops the start and is left as it was', async (t) => {
  const dir = t.testdir({ [KEY_FILE]: 'not a key\n' })
  if (posix) await chmod(join(dir, KEY_FILE), 0o600)
  await refused(t, dir, 'machine_key_invalid', /not a readable PEM private key.*delete it to make a new key/)
  t.equal(await readFile(join(dir, KEY_FILE), 'utf8'), 'not a key\n', 'not overwritten')

  const x25519 = generateKeyPairSync('x25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
  await writeFile(join(dir, KEY_FILE), x25519, { mode: 0o600 })
  await refused(t, dir, 'machine_key_invalid', /x25519 key, not Ed25519/)

  await writeFile(join(dir, KEY_FILE), '', { mode: 0o600 })
  await refused(t, dir, 'machine_key_invalid', /cannot be used/)
})

t.test('a key file others can read stops the start with how to fix it', { skip: !posix && 'no mode bits on Windows' }, async (t) => {
  const dir = join(t.testdir(), 'data')
  const { identity } = await loadMachineIdentity(dir)
  const file = join(dir, KEY_FILE)
  await chmod(file, 0o644)
  await refused(t, dir, 'machine_key_exposed', /mode 0644.*chmod 600/)
  await chmod(file, 0o640)
  await refused(t, dir, 'machine_key_exposed', /mode 0640/)
  await chmod(file, 0o600)
  t.equal((await loadMachineIdentity(dir)).identity.nodeId, identity.nodeId, 'after chmod 600 the same key loads')
})

t.test("an older data folder's random node-id is replaced by the key's and its file removed", async (t) => {
  const dir = t.testdir({ 'node-id': '0123456789abcdef\n' })
  const { identity, created, replacedNodeId } = await loadMachineIdentity(dir)
  t.ok(created, 'a key is made')
  t.equal(replacedNodeId, '0123456789abcdef', 'the old id is reported (the daemon logs it)')
  t.equal(identity.nodeId, spkiSha256FromPem(await readFile(join(dir, KEY_FILE), 'utf8')).slice(0, 16), 'the id follows from the key')
  t.notOk(existsSync(join(dir, 'node-id')), 'node-id is gone')

  // A crash after the key was written but before node-id went: the next start finishes the job.
  await writeFile(join(dir, 'node-id'), '0123456789abcdef\n')
  const next = await loadMachineIdentity(dir)
  t.same([next.created, next.identity.nodeId, next.replacedNodeId], [false, identity.nodeId, '0123456789abcdef'])
  t.notOk(existsSync(join(dir, 'node-id')), 'node-id is gone again')
})

t.test("a crash's half-written temp file is neither used nor left behind", async (t) => {
  const dir = t.testdir({ [`${KEY_FILE}.tmp`]: '-----BEGIN PRIV' })
  if (posix) await chmod(join(dir, `${KEY_FILE}.tmp`), 0o644)
  const { identity } = await loadMachineIdentity(dir)
  t.equal(identity.nodeId, spkiSha256FromPem(await readFile(join(dir, KEY_FILE), 'utf8')).slice(0, 16))
  if (posix) t.equal(statSync(join(dir, KEY_FILE)).mode & 0o777, 0o600, 'still 0600')
  t.same(readdirSync(dir), [KEY_FILE])
})

t.test('the fingerprint format: 8 groups of 4 upper-case hex digits, the first 128 bits', async (t) => {
  const sha256 = `00112233445566778899aabbccddeeff${'f'.repeat(32)}`
  t.equal(formatFingerprint(sha256), '0011-2233-4455-6677-8899-AABB-CCDD-EEFF')
  t.throws(() => formatFingerprint('0011'), TypeError, 'too short')
  t.throws(() => formatFingerprint('z'.repeat(64)), TypeError, 'not hex')
})
