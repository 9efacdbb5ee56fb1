/**
 * The network key: one line that parses back to the same key, anything else refused with
 * network_key_invalid; kept 0600 in the data folder and refused when others may read it; never
 * printed by JSON.stringify or a log line. Sealed to a machine's key, only that machine opens
 * it, and a box altered on the way does not open.
 */
import { generateKeyPairSync } from 'node:crypto'
import { chmod, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { IdentityError } from '../../../daemon/errors/index.js'
import {
  NETWORK_KEY_FILE,
  NetworkKey,
  loadNetworkKey,
  openNetworkKey,
  readKeyFileGiven,
  saveNetworkKey,
  sealNetworkKey,
} from '../../../daemon/identity/index.js'

const posix = process.platform !== 'win32'

t.test('the one-line form parses back to the same key', async (t) => {
  const key = NetworkKey.generate()
  const line = key.toString()
  t.match(line, /^sochat-key-1\.[A-Za-z0-9_-]{43}$/)
  const back = NetworkKey.parse(`  ${line}\n`, 'the file')
  t.ok(back.equals(key))
  t.equal(back.id, key.id)
  t.notOk(NetworkKey.generate().equals(key), 'two keys made are different')
  t.notOk(key.equals(null))
})

t.test('anything but a key line is refused with network_key_invalid, naming the file', async (t) => {
  const line = NetworkKey.generate().toString()
  const bad = [
    '',
    'sochat-key-1.',
    line.slice(0, -1),
    `${line}A`,
    line.replace('sochat-key-1.', 'sochat-key-2.'),
    `${line.slice(0, -1)}=`,
    'hello',
  ]
  bad.push(`sochat-key-1.${'+'.repeat(43)}`, `${line}\n${line}`)
  for (const text of bad) {
    t.throws(
      () => NetworkKey.parse(text, '/tmp/given-key'),
      { code: 'network_key_invalid', message: /\/tmp\/given-key/ },
      JSON.stringify(text),
    )
  }
  t.throws(() => NetworkKey.fromBytes(new Uint8Array(31)), { code: 'network_key_invalid' }, '31 bytes')
})

t.test('the key is saved 0600 and loaded back; none saved is null', async (t) => {
  const dir = t.testdir()
  t.equal(await loadNetworkKey(dir), null)
  const key = NetworkKey.generate()
  await saveNetworkKey(dir, key)
  if (posix) t.equal((await stat(join(dir, NETWORK_KEY_FILE))).mode & 0o777, 0o600)
  t.ok((await loadNetworkKey(dir))?.equals(key))
})

t.test('a kept key that others may read is refused, saying how to fix it', { skip: !posix && 'no mode bits on Windows' }, async (t) => {
  const dir = t.testdir()
  await saveNetworkKey(dir, NetworkKey.generate())
  await chmod(join(dir, NETWORK_KEY_FILE), 0o644)
  const err = await loadNetworkKey(dir).catch((e: unknown) => e)
  t.ok(err instanceof IdentityError)
  t.match(err, { code: 'network_key_invalid', message: /can be read by other users.*chmod 600/ })
})

t.test('a key file given on the command line is read whatever its mode, and must hold a key', async (t) => {
  const dir = t.testdir()
  const key = NetworkKey.generate()
  await writeFile(join(dir, 'given'), `${key.toString()}\n`, { mode: 0o644 })
  t.ok((await readKeyFileGiven(join(dir, 'given'))).equals(key))
  await writeFile(join(dir, 'junk'), 'not a key')
  await t.rejects(readKeyFileGiven(join(dir, 'junk')), { code: 'network_key_invalid' })
  await t.rejects(readKeyFileGiven(join(dir, 'missing')), { code: 'network_key_invalid', message: /Cannot read/ })
})

t.test('the key is never printed: JSON and templates show its id only', async (t) => {
  const key = NetworkKey.generate()
  const secret = key.bytes.toString('base64url')
  const printed = [JSON.stringify(key), JSON.stringify({ key }), `${JSON.stringify([key])}`]
  for (const text of printed) {
    t.notMatch(text, secret, text)
    t.match(text, key.id)
  }
  t.notMatch(key.id, secret.slice(0, 8), 'the id is not a piece of the key')
})

t.test('a sealed key opens with the machine key it was sealed to, and no other', async (t) => {
  const key = NetworkKey.generate()
  const newcomer = generateKeyPairSync('ed25519')
  const sealed = await sealNetworkKey(key, newcomer.publicKey)
  t.notMatch(sealed, key.bytes.toString('base64url'), 'the key is not in the box in the clear')
  t.ok((await openNetworkKey(sealed, newcomer.privateKey)).equals(key), 'the newcomer opens it')
  await t.rejects(openNetworkKey(sealed, generateKeyPairSync('ed25519').privateKey), 'another machine cannot')
  const box = Buffer.from(sealed, 'base64url')
  for (const at of [0, 40, box.length - 1]) {
    const flipped = Buffer.from(box)
    flipped[at]! ^= 0x01
    await t.rejects(openNetworkKey(flipped.toString('base64url'), newcomer.privateKey), `a byte flipped at ${at}`)
  }
  await t.rejects(openNetworkKey(box.subarray(0, box.length - 1).toString('base64url'), newcomer.privateKey), 'cut short')
})
