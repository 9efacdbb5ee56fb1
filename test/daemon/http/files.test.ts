/**
 * Files through the local API on a relay and a client: a resumable upload (a piece cut off,
 * then the rest from the offset the daemon reports), the file posted in a message, and the
 * other machine serving the very same bytes as a download with a safe name. Pictures come out
 * cleaned, with inline sizes. Bad files are refused with their code and leave nothing behind.
 */
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import WebSocket from 'ws'
import t from 'tap'
import { DEFAULT_MAX_FILE_BYTES } from '../../../shared/index.js'
import { pngClaiming } from '../../lib/images.js'
import { call, startPair, waitFor, type Reply } from './local-daemon.js'

const root = t.testdir()
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

type Asserts = { same: (a: unknown, b: unknown, m: string) => boolean }
function refused(t: Asserts, r: Reply, status: number, code: string, what: string): void {
  t.same([r.status, r.body?.error?.code], [status, code], `${what}: ${status} ${code}`)
}

async function piece(ui: string, token: string, id: string, offset: number, bytes: Buffer): Promise<Response> {
  return fetch(`${ui}/api/v1/uploads/${id}`, {
    method: 'PATCH',
    body: new Uint8Array(bytes),
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset) },
  })
}

/** Announce, send in one piece, finish: the FileRef. */
async function upload(ui: string, token: string, name: string, bytes: Buffer, mime = 'application/octet-stream'): Promise<Reply> {
  const started = await call(ui, '/api/v1/uploads', { token, json: { name, size: bytes.length, mime } })
  if (started.status !== 201) return started
  await piece(ui, token, started.body.id, 0, bytes)
  return call(ui, `/api/v1/uploads/${started.body.id}/finish`, { token, method: 'POST' })
}

t.test('files', async (t) => {
  const { relay, client, token } = await startPair(t, root, ['alice', 'bob', 'carol'])
  const alice = await token(client.ui, 'alice')
  const bob = await token(relay.ui, 'bob')
  const download = (ui: string, tok: string, path: string) => fetch(`${ui}${path}`, { headers: { authorization: `Bearer ${tok}` } })

  await t.test('a 5 MiB file: cut off, resumed, posted, and downloaded intact on the other machine', async (t) => {
    const bytes = randomBytes(5 * 1024 * 1024)
    const started = await call(client.ui, '/api/v1/uploads', {
      token: alice,
      json: { name: '../../etc/Q3 report\u0007.pdf', size: bytes.length, mime: 'application/pdf' },
    })
    t.match(started.body, { offset: 0, size: bytes.length, maxBytes: DEFAULT_MAX_FILE_BYTES }, 'announced, with the limit')
    const id = started.body.id as string
    t.equal((await piece(client.ui, alice, id, 0, bytes.subarray(0, 3_000_000))).headers.get('upload-offset'), '3000000', 'a first piece')
    refused(
      t,
      await call(client.ui, `/api/v1/uploads/${id}/finish`, { token: alice, method: 'POST' }),
      409,
      'upload_incomplete',
      'finishing early',
    )
    const wrong = await piece(client.ui, alice, id, 100, bytes.subarray(100))
    t.equal(wrong.status, 409, 'a piece at the wrong offset is refused')
    t.equal(
      (await call(client.ui, `/api/v1/uploads/${id}`, { token: alice })).body.offset,
      3_000_000,
      'the daemon says where to go on from',
    )
    await piece(client.ui, alice, id, 3_000_000, bytes.subarray(3_000_000))
    const done = await call(client.ui, `/api/v1/uploads/${id}/finish`, { token: alice, method: 'POST' })
    t.match(done.body.file, { sha256: sha(bytes), size: bytes.length, name: 'Q3 report.pdf' }, 'finished: its hash, its size, a safe name')
    t.notOk(done.body.file.picture, 'not a picture')
    const posted = await call(client.ui, '/api/v1/rooms/general/messages', { token: alice, json: { text: '', files: [done.body.file] } })
    t.equal(posted.status, 201, 'a message with only a file is posted (the relay has the file first)')
    const path = `/api/v1/rooms/general/messages/${posted.body.message.id}/files/${sha(bytes)}`
    const res = await waitFor('the message on the relay', async () => {
      const r = await download(relay.ui, bob, path)
      return r.status === 200 && r
    })
    const got = Buffer.from(await res.arrayBuffer())
    t.equal(sha(got), sha(bytes), 'bob downloads exactly the same bytes on the other machine')
    t.equal(res.headers.get('content-type'), 'application/octet-stream', 'served as bytes, whatever it claimed to be')
    t.match(
      res.headers.get('content-disposition'),
      /^attachment; filename="Q3 report.pdf"; filename\*=UTF-8''Q3%20report.pdf$/,
      'as a download with its name',
    )
    t.equal(res.headers.get('x-content-type-options'), 'nosniff')
  })

  await t.test('an open page hears a message with its files', async (t) => {
    const ws = new WebSocket(`${relay.ui.replace('http', 'ws')}/api/v1/events`, { headers: { authorization: `Bearer ${bob}` } })
    const events: { type: string; message?: { files?: unknown[] } }[] = []
    ws.on('message', (raw) => events.push(JSON.parse(raw.toString())))
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
    t.teardown(() => ws.close())
    const file = (await upload(client.ui, alice, 'live.bin', randomBytes(1000))).body.file
    await call(client.ui, '/api/v1/rooms/general/messages', { token: alice, json: { text: 'live', files: [file] } })
    const heard = await waitFor('the live event', async () => events.find((e) => e.type === 'message' && e.message?.files))
    t.same(heard.message!.files, [file], 'the event carries the file as posted')
  })

  await t.test('a file shared on the relay is fetched by the client when someone opens it', async (t) => {
    const bytes = randomBytes(200_000)
    const file = (await upload(relay.ui, bob, 'notes.bin', bytes)).body.file
    const posted = await call(relay.ui, '/api/v1/rooms/general/messages', { token: bob, json: { text: 'notes', files: [file] } })
    const path = `/api/v1/rooms/general/messages/${posted.body.message.id}/files/${file.sha256}`
    const res = await waitFor('the message on the client', async () => {
      const r = await download(client.ui, alice, path)
      return r.status === 200 && r
    })
    t.equal(sha(Buffer.from(await res.arrayBuffer())), file.sha256, 'the client fetched it from the relay and served it intact')
  })

  await t.test('a picture is cleaned, and only its own renditions are shown inline', async (t) => {
    const jpeg = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#48c' } })
      .jpeg()
      .withExif({ IFD0: { Make: 'SecretCam' } })
      .withMetadata({ orientation: 6 })
      .toBuffer()
    const file = (await upload(client.ui, alice, 'IMG_0001.JPG', jpeg, 'image/jpeg')).body.file
    t.match(
      file.picture,
      { width: 800, height: 1200, thumbnailWidth: 213, thumbnailHeight: 320, mime: 'image/jpeg' },
      'upright, with a thumbnail',
    )
    t.not(file.sha256, sha(jpeg), 'the kept original is the cleaned one, not what was sent')
    const posted = await call(client.ui, '/api/v1/rooms/general/messages', { token: alice, json: { text: 'view', files: [file] } })
    const base = `/api/v1/rooms/general/messages/${posted.body.message.id}/files/${file.sha256}`
    const thumb = await waitFor('the picture on the relay', async () => {
      const r = await download(relay.ui, bob, `${base}?size=thumbnail`)
      return r.status === 200 && r
    })
    t.equal(thumb.headers.get('content-type'), 'image/jpeg', 'the thumbnail is shown as the picture it is')
    t.match(thumb.headers.get('content-security-policy'), /sandbox/, 'sandboxed')
    const original = Buffer.from(await (await download(relay.ui, bob, base)).arrayBuffer())
    t.notOk(original.includes(Buffer.from('SecretCam')), 'the downloaded original has no camera name left')
    t.equal((await sharp(original).metadata()).exif, undefined, 'and no EXIF at all')
  })

  await t.test('a profile picture: cut square, cleaned, shown on the other machine, removable', async (t) => {
    const photo = await sharp({ create: { width: 900, height: 600, channels: 3, background: '#e94' } })
      .jpeg()
      .withExif({ IFD0: { Make: 'SecretCam' } })
      .toBuffer()
    const file = (await upload(client.ui, alice, 'me.jpg', photo, 'image/jpeg')).body.file
    const set = await call(client.ui, '/api/v1/me/avatar', { token: alice, method: 'PUT', json: { sha256: file.sha256 } })
    t.equal(set.status, 201, 'set')
    const shown = await waitFor("alice's picture on the relay", async () => {
      const r = await download(relay.ui, bob, '/api/v1/avatars/alice')
      return r.status === 200 && r
    })
    t.equal(shown.headers.get('content-type'), 'image/webp')
    const square = Buffer.from(await shown.arrayBuffer())
    const m = await sharp(square).metadata()
    t.same([m.width, m.height, m.exif], [256, 256, undefined], 'a 256 × 256 square without EXIF')
    t.equal(shown.headers.get('etag'), `"${set.body.avatar}"`, 'tagged with its hash')
    t.same((await call(relay.ui, '/api/v1/avatars', { token: bob })).body.avatars, { alice: set.body.avatar }, "listed as alice's")
    const again = await fetch(`${relay.ui}/api/v1/avatars/alice`, {
      headers: { authorization: `Bearer ${bob}`, 'if-none-match': `"${set.body.avatar}"` },
    })
    t.equal(again.status, 304, 'unchanged: 304')
    const notPicture = (await upload(client.ui, alice, 'notes.txt', Buffer.from('hello'))).body.file
    refused(
      t,
      await call(client.ui, '/api/v1/me/avatar', { token: alice, method: 'PUT', json: { sha256: notPicture.sha256 } }),
      415,
      'unsupported_image',
      'a text file as a profile picture',
    )
    t.equal((await call(client.ui, '/api/v1/me/avatar', { token: alice, method: 'DELETE' })).status, 204, 'removed')
    const gone = await waitFor('the picture gone on the relay', async () => {
      const r = await download(relay.ui, bob, '/api/v1/avatars/alice')
      return r.status === 404 && r
    })
    t.equal((await gone.json()).error.code, 'not_found', 'and gone on the other machine')
  })

  await t.test('a big picture being processed does not hold up the chat', async (t) => {
    const big = await sharp({
      create: { width: 6000, height: 4000, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 40 } },
    })
      .jpeg({ quality: 90 })
      .toBuffer()
    const started = await call(client.ui, '/api/v1/uploads', { token: alice, json: { name: 'panorama.jpg', size: big.length } })
    await piece(client.ui, alice, started.body.id, 0, big)
    const order: string[] = []
    const finishing = call(client.ui, `/api/v1/uploads/${started.body.id}/finish`, { token: alice, method: 'POST' }).then((r) => {
      order.push('picture')
      return r
    })
    await new Promise((r) => setTimeout(r, 50)) // the daemon is decoding 24 megapixels now
    const chat = await call(client.ui, '/api/v1/rooms/general/messages', { token: alice, json: { text: 'meanwhile' } }).then((r) => {
      order.push('message')
      return r
    })
    const done = await finishing
    t.equal(chat.status, 201, 'a message sent meanwhile is written')
    t.equal(done.status, 200, 'and the picture is processed')
    t.same(order, ['message', 'picture'], 'the message did not wait for the picture')
  })

  await t.test('bad files are refused with a reason and leave nothing', async (t) => {
    refused(
      t,
      await call(client.ui, '/api/v1/uploads', { token: alice, json: { name: 'huge.iso', size: DEFAULT_MAX_FILE_BYTES + 1 } }),
      413,
      'file_too_large',
      'a file over the limit, before any byte is sent',
    )
    const fake = await upload(client.ui, alice, 'holiday.jpg', Buffer.from('not a picture at all, just words\n'), 'image/jpeg')
    t.equal(fake.status, 200, 'a text file named .jpg is taken as the file it is')
    t.notOk(fake.body.file.picture, 'but never as a picture')
    const jpeg = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#000' } })
      .jpeg()
      .toBuffer()
    const cut = jpeg.subarray(0, jpeg.length >> 1)
    refused(t, await upload(client.ui, alice, 'cut.jpg', cut, 'image/jpeg'), 422, 'corrupt_image', 'a picture cut in half')
    t.notOk(existsSync(join(root, 'client', 'blobs', 'sha256', sha(cut).slice(0, 2), sha(cut))), 'and its bytes are not kept')
    refused(
      t,
      await upload(client.ui, alice, 'bomb.png', pngClaiming(50000, 50000), 'image/png'),
      413,
      'image_too_large',
      'a 50000 × 50000 PNG',
    )
    refused(
      t,
      await call(client.ui, '/api/v1/uploads/0123456789abcdef01234567', { token: alice }),
      404,
      'unknown_upload',
      'an upload that does not exist',
    )
    const someone = await call(client.ui, '/api/v1/uploads', { token: alice, json: { name: 'a', size: 1 } })
    refused(
      t,
      await call(client.ui, `/api/v1/uploads/${someone.body.id}`, { token: await token(client.ui, 'carol') }),
      404,
      'unknown_upload',
      "another person's upload",
    )
    const never = { sha256: 'a'.repeat(64), name: 'x', size: 1, mime: '' }
    refused(
      t,
      await call(client.ui, '/api/v1/rooms/general/messages', { token: alice, json: { text: 'x', files: [never] } }),
      404,
      'unknown_upload',
      'a message naming a file never uploaded here',
    )
    const invoice = await upload(client.ui, alice, 'invoice\u202Etxt.exe', Buffer.from('an invoice\n'))
    t.equal(invoice.body.file?.name, 'invoicetxt.exe', 'an uploaded name loses its direction override')
    for (const name of ['invoice\u202Etxt.exe', '../../x', 'a\u0007b']) {
      const r = await call(client.ui, '/api/v1/rooms/general/messages', {
        token: alice,
        json: { text: '', files: [{ ...invoice.body.file, name }] },
      })
      refused(t, r, 400, 'bad_request', `a message whose file is renamed ${JSON.stringify(name)} after the upload`)
      t.match(r.body.error.message, /files\.0\.name: a file name has no folders, control or direction characters/)
    }
  })

  await t.test("a private room's files are refused to non-members", async (t) => {
    const room = (await call(client.ui, '/api/v1/rooms', { token: alice, json: { name: 'legal', kind: 'private' } })).body.room.id
    const file = (await upload(client.ui, alice, 'contract.txt', Buffer.from('terms'))).body.file
    const posted = await call(client.ui, `/api/v1/rooms/${room}/messages`, { token: alice, json: { text: '', files: [file] } })
    const path = `/api/v1/rooms/${room}/messages/${posted.body.message.id}/files/${file.sha256}`
    t.equal((await download(client.ui, alice, path)).status, 200, 'alice can')
    t.equal((await download(client.ui, await token(client.ui, 'carol'), path)).status, 403, 'carol cannot')
  })
})

t.test("the relay's file limit is the one a client checks, before any byte is sent", async (t) => {
  const { client, token } = await startPair(t, join(root, 'small'), ['dana'], 'pair of velvet lamps', { maxFileMib: '1' })
  const dana = await token(client.ui, 'dana')
  t.equal((await call(client.ui, '/api/v1/status')).body.maxFileBytes, 1024 * 1024, "the client reports the relay's 1 MiB")
  const r = await call(client.ui, '/api/v1/uploads', { token: dana, json: { name: 'two.bin', size: 2 * 1024 * 1024 } })
  t.same([r.status, r.body.error.code], [413, 'file_too_large'], 'a 2 MiB file is refused at once')
  t.match(r.body.error.message, /1\.0 MiB/, `saying the limit ("${r.body.error.message}")`)
})
