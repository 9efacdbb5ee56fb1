/**
 * Files in an end-to-end encrypted room, through the local API of a relay and a client
 * (docs/ARCHITECTURE.md, "Private rooms end to end"): alice, on the client, posts a file and a
 * picture into a private room with bob; bob, logged in on the relay, downloads the very bytes
 * and the picture's sizes; carol (not a member) is refused, and so is dave, invited after it
 * was sent (no key of its epoch). Nowhere on the relay's disk, nor on alice's own machine once
 * the message is sent, is there a byte of the file, of the picture's renditions, or its name —
 * while a file posted to a public room is found there, which shows the scan would find them.
 * A sealed blob altered on the relay's disk is never served as good: altered at its start or
 * cut short it is refused (`file_tampered`) with nothing sent; altered further on, the
 * download stops before the altered chunk. An edit keeps the files.
 */
import { createHash, randomBytes } from 'node:crypto'
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { truncate } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import t from 'tap'
import { FILE_CHUNK_BYTES, sealedFileSize } from '../../../daemon/sealing/index.js'
import { call, startPair, waitFor, type Reply } from './local-daemon.js'

const root = t.testdir()
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

/** Every regular file under `dir` (not the control socket), with its bytes. */
function filesUnder(dir: string): { path: string; bytes: Buffer }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    const st = statSync(path)
    return st.isDirectory() ? filesUnder(path) : st.isFile() ? [{ path, bytes: readFileSync(path) }] : []
  })
}
/** Where under `dir` `needle` is found (file paths). */
const foundIn = (dir: string, needle: Buffer) =>
  filesUnder(dir)
    .filter((f) => f.bytes.includes(needle))
    .map((f) => f.path)

/** Three 32-byte pieces from the second half of `bytes` (past any header every such file shares). */
const slices = (bytes: Buffer) =>
  [0.55, 0.75, 0.95].map((at) => bytes.subarray(Math.floor(bytes.length * at) - 32, Math.floor(bytes.length * at)))

async function upload(ui: string, token: string, name: string, bytes: Buffer, mime: string): Promise<Reply> {
  const started = await call(ui, '/api/v1/uploads', { token, json: { name, size: bytes.length, mime } })
  await fetch(`${ui}/api/v1/uploads/${started.body.id}`, {
    method: 'PATCH',
    body: new Uint8Array(bytes),
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
  })
  return call(ui, `/api/v1/uploads/${started.body.id}/finish`, { token, method: 'POST' })
}

/** A download read to its end, or to where it was cut off: the bytes that came, and whether it was cut. */
async function download(
  ui: string,
  token: string,
  path: string,
): Promise<{ status: number; type: string | null; bytes: Buffer; cut: boolean }> {
  const res = await fetch(`${ui}${path}`, { headers: { authorization: `Bearer ${token}` } })
  const got: Buffer[] = []
  let cut = false
  try {
    for await (const c of (res.body ?? []) as unknown as AsyncIterable<Uint8Array>) got.push(Buffer.from(c))
  } catch {
    cut = true
  }
  return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.concat(got), cut }
}

t.test('files in an encrypted room', async (t) => {
  const { relay, client, token } = await startPair(t, root, ['alice', 'bob', 'carol', 'dave'])
  const alice = await token(client.ui, 'alice')
  const bob = await token(relay.ui, 'bob')
  const carol = await token(relay.ui, 'carol')
  const relayDir = join(root, 'relay')
  const clientDir = join(root, 'client')

  const room = (await call(client.ui, '/api/v1/rooms', { token: alice, json: { name: 'plans', kind: 'private', invite: ['bob'] } })).body
    .room.id as string
  const marker = Buffer.from('MARKER-7f3a9c-the-plaintext-of-a-sealed-file\n')
  // ~3 MiB, 49 chunks: more than one read from disk (1 MiB), so a download can be cut part-way.
  const document = Buffer.concat([...Array.from({ length: 70_000 }, () => marker), randomBytes(10)])
  const name = 'secret-plans-q9z.txt'
  const noise = await sharp(randomBytes(600 * 400 * 3), { raw: { width: 600, height: 400, channels: 3 } })
    .png()
    .toBuffer()
  const file = (await upload(client.ui, alice, name, document, 'text/plain')).body.file
  const picture = (await upload(client.ui, alice, 'holiday-x7k.png', noise, 'image/png')).body.file
  t.ok(picture.picture, 'the picture is described as one (its sizes made from the plaintext on the sender’s machine)')

  const posted = await call(client.ui, `/api/v1/rooms/${room}/messages`, {
    token: alice,
    json: { text: 'the plans', files: [file, picture] },
  })
  t.equal(posted.status, 201, 'posted')
  t.match(
    posted.body.message,
    { encrypted: true, files: [{ sha256: file.sha256, name }, { sha256: picture.sha256 }] },
    'the page sees its files',
  )
  const id = posted.body.message.id as string
  const path = (f: { sha256: string }, size = 'original') => `/api/v1/rooms/${room}/messages/${id}/files/${f.sha256}?size=${size}`

  // A public file, as a control: the same scan finds its bytes and name on the relay.
  const publicBytes = Buffer.concat([Buffer.from('PUBLIC-MARKER-51b2e8\n'), randomBytes(64)])
  const publicFile = (await upload(client.ui, alice, 'public-notes-m4w.txt', publicBytes, 'text/plain')).body.file
  t.equal((await call(client.ui, '/api/v1/rooms/general/messages', { token: alice, json: { text: '', files: [publicFile] } })).status, 201)

  const plain: Record<string, Buffer> = {}
  await t.test('a member downloads the plaintext on another machine', async (t) => {
    const listed = await waitFor('the message for bob', async () =>
      (await call(relay.ui, `/api/v1/rooms/${room}/messages`, { token: bob })).body.messages?.find((m: { id: string }) => m.id === id),
    )
    t.match(listed, { text: 'the plans', encrypted: true, files: [{ name, size: document.length }, { picture: { mime: /^image\// } }] })
    t.notOk('seal' in listed.files[0], 'no key reaches the page')
    const original = await download(relay.ui, bob, path(file))
    t.same([original.status, original.cut], [200, false])
    t.ok(original.bytes.equals(document), 'the file, byte for byte')
    for (const size of ['original', 'display', 'thumbnail']) {
      const got = await download(relay.ui, bob, path(picture, size))
      t.same([got.status, got.cut], [200, false], `the picture's ${size}`)
      if (size !== 'original') t.match(got.type, /^image\//, `${size}: shown as the picture it is`)
      plain[size] = got.bytes
    }
    t.equal(sha(plain.original!), picture.sha256, "the picture's original is the cleaned one the page was told of")
  })

  await t.test('a non-member is refused; so is a member invited after it was sent', async (t) => {
    const refused = await call(relay.ui, path(file), { token: carol })
    t.same([refused.status, refused.body.error?.code], [403, 'not_a_member'], 'carol: not a member')
    t.equal((await call(client.ui, `/api/v1/rooms/${room}/members`, { token: alice, json: { username: 'dave' } })).status, 200)
    const dave = await token(relay.ui, 'dave')
    const late = await waitFor('dave in the room', async () => {
      const r = await call(relay.ui, path(file), { token: dave })
      return r.status !== 403 || r.body.error?.code !== 'not_a_member' ? r : undefined
    })
    t.same([late.status, late.body.error?.code], [403, 'file_unreadable'], 'dave: no key of the epoch it was sealed in')
  })

  await t.test('no plaintext on the relay, nor left on the sender’s machine', async (t) => {
    const needles = [marker, Buffer.from(name), Buffer.from('holiday-x7k'), ...slices(noise)]
    for (const size of ['original', 'display', 'thumbnail']) needles.push(...slices(plain[size]!))
    for (const [dir, machine] of [
      [relayDir, 'the relay'],
      [clientDir, "alice's machine"],
    ] as const) {
      const hits = needles.flatMap((n) => foundIn(dir, n))
      t.same(hits, [], `${machine}: no byte of the file, the picture, its sizes or their names on disk`)
    }
    t.not(foundIn(relayDir, Buffer.from('PUBLIC-MARKER-51b2e8')).length, 0, 'while the public file is found (the scan works)')
    t.not(foundIn(relayDir, Buffer.from('public-notes-m4w')).length, 0, 'and its name')
  })

  await t.test('an edit keeps the files', async (t) => {
    const edited = await call(client.ui, `/api/v1/rooms/${room}/messages/${id}`, {
      token: alice,
      method: 'PUT',
      json: { text: 'new plans' },
    })
    t.match(edited.body.message, { text: 'new plans', files: [{ name }, { sha256: picture.sha256 }] })
    await waitFor('the edit on the relay', async () =>
      (await call(relay.ui, `/api/v1/rooms/${room}/messages`, { token: bob })).body.messages?.find(
        (m: { id: string; text: string }) => m.id === id && m.text === 'new plans',
      ),
    )
    t.ok((await download(relay.ui, bob, path(file))).bytes.equals(document), 'bob still downloads the file')
  })

  await t.test('a sealed blob altered on disk is never served as good', async (t) => {
    const blobs = filesUnder(join(relayDir, 'blobs', 'sha256'))
    const sealedDoc = blobs.find((b) => b.bytes.length === sealedFileSize(document.length))!
    const sealedThumb = blobs.find((b) => b.bytes.length === sealedFileSize(plain.thumbnail!.length))!
    t.ok(sealedDoc && sealedThumb, 'the sealed file and thumbnail, told by their sizes')

    const at = 24 + (FILE_CHUNK_BYTES + 17) * 32 + 9
    const later = Buffer.from(sealedDoc.bytes)
    later.writeUInt8(later.readUInt8(at) ^ 1, at)
    writeFileSync(sealedDoc.path, later)
    const cut = await download(relay.ui, bob, path(file))
    t.equal(cut.status, 200, 'altered in its 33rd chunk (past the first MiB): the start opens and is sent')
    t.ok(
      cut.cut && cut.bytes.length > 0 && cut.bytes.length <= 32 * FILE_CHUNK_BYTES,
      `then the download is cut off before the altered chunk (${cut.bytes.length} bytes came, of ${document.length})`,
    )
    t.ok(cut.bytes.equals(document.subarray(0, cut.bytes.length)), 'and what came is the file as it was')

    const early = Buffer.from(sealedDoc.bytes)
    early.writeUInt8(early.readUInt8(40) ^ 1, 40)
    writeFileSync(sealedDoc.path, early)
    const refused = await call(relay.ui, path(file), { token: bob })
    t.same([refused.status, refused.body.error?.code], [422, 'file_tampered'], 'altered in its first chunk: refused, nothing sent')
    writeFileSync(sealedDoc.path, sealedDoc.bytes)

    await truncate(sealedThumb.path, sealedThumb.bytes.length - 17)
    const short = await call(relay.ui, path(picture, 'thumbnail'), { token: bob })
    t.same([short.status, short.body.error?.code], [422, 'file_tampered'], 'a thumbnail cut short: refused')
    writeFileSync(sealedThumb.path, sealedThumb.bytes)
    t.ok((await download(relay.ui, bob, path(picture, 'thumbnail'))).bytes.equals(plain.thumbnail!), 'put back, it opens again')
  })
})

t.test('a file at the relay’s limit still goes through sealed (its ciphertext is a little over it)', async (t) => {
  const { client, token } = await startPair(t, join(root, 'limit'), ['erin', 'finn'], undefined, { maxFileMib: '1' })
  const erin = await token(client.ui, 'erin')
  const room = (await call(client.ui, '/api/v1/rooms', { token: erin, json: { name: 'full', kind: 'private', invite: ['finn'] } })).body
    .room.id as string
  const bytes = randomBytes(1024 * 1024)
  const file = (await upload(client.ui, erin, 'exactly-a-mib.bin', bytes, 'application/octet-stream')).body.file
  t.equal(file.size, bytes.length, 'the relay takes files up to 1 MiB: this one is exactly that')
  const posted = await call(client.ui, `/api/v1/rooms/${room}/messages`, { token: erin, json: { text: '', files: [file] } })
  t.same([posted.status, posted.body.message?.encrypted], [201, true], 'sealed, pushed to the relay and posted')
  const got = await download(client.ui, erin, `/api/v1/rooms/${room}/messages/${posted.body.message.id}/files/${file.sha256}`)
  t.ok(got.status === 200 && got.bytes.equals(bytes), 'and it opens whole')
})
