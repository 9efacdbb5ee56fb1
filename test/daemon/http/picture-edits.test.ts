/**
 * Pictures edited before sending, through the upload route (issue 17 item 7) on one relay on
 * loopback: an edit given when the upload starts is applied at finish (the FileRef has the
 * edited size, no EXIF is left), a picture posted with it serves the edited display size; bad
 * edits are refused with `bad_picture_edit` naming the field before a byte is sent, a crop
 * outside the picture at finish, an edit of a non-picture or an animated GIF with
 * `picture_not_editable`.
 */
import { join } from 'node:path'
import sharp from 'sharp'
import t from 'tap'
import { call, startLocalDaemon, waitFor, type Reply } from './local-daemon.js'

const root = t.testdir()
const plain = { rotate: 0, brightness: 1, contrast: 1 }

async function upload(ui: string, token: string, name: string, bytes: Buffer, edit?: unknown): Promise<Reply> {
  const started = await call(ui, '/api/v1/uploads', { token, json: { name, size: bytes.length, mime: 'image/jpeg', edit } })
  if (started.status !== 201) return started
  await fetch(`${ui}/api/v1/uploads/${started.body.id}`, {
    method: 'PATCH',
    body: new Uint8Array(bytes),
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
  })
  return call(ui, `/api/v1/uploads/${started.body.id}/finish`, { token, method: 'POST' })
}

t.test('picture edits through the upload route', async (t) => {
  const relay = await startLocalDaemon(t, join(root, 'relay'), 'relay')
  await waitFor('a relay', async () => (await call(relay.ui, '/api/v1/status')).body.role === 'relay')
  await call(relay.ui, '/api/v1/accounts', { json: { username: 'alice', password: 'pictures of velvet lamps' } })
  const { body } = await call(relay.ui, '/api/v1/sessions', { json: { username: 'alice', password: 'pictures of velvet lamps' } })
  const token = body.token as string
  const photo = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#3a7' } })
    .jpeg()
    .withExif({ IFD0: { Make: 'PhoneCam' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 24/1' } })
    .withMetadata({ orientation: 6 })
    .toBuffer()

  await t.test('an edit is applied at finish: turned, square, brighter, no EXIF', async (t) => {
    const edit = { rotate: 90, crop: { left: 50, top: 0, width: 300, height: 300 }, brightness: 1.4, contrast: 1 }
    const done = await upload(relay.ui, token, 'square.jpg', photo, edit)
    t.equal(done.status, 200, 'finished')
    t.match(done.body.file.picture, { width: 300, height: 300 }, 'the FileRef has the edited size')
    const posted = await call(relay.ui, '/api/v1/rooms/general/messages', { token, json: { text: 'square', files: [done.body.file] } })
    t.equal(posted.status, 201, 'posted')
    const res = await fetch(`${relay.ui}/api/v1/rooms/general/messages/${posted.body.message.id}/files/${done.body.file.sha256}`, {
      headers: { authorization: `Bearer ${token}` },
    })
    const original = Buffer.from(await res.arrayBuffer())
    const meta = await sharp(original).metadata()
    t.same([meta.width, meta.height, meta.exif, meta.orientation], [300, 300, undefined, undefined], 'the sent original: square, no EXIF')
    t.notOk(original.includes(Buffer.from('PhoneCam')), 'nothing of the camera left')
  })

  await t.test('a bad edit is refused when the upload starts, naming the field', async (t) => {
    const cases: [unknown, RegExp][] = [
      [{ ...plain, rotate: 45 }, /rotate must be 0, 90, 180 or 270/],
      [{ ...plain, brightness: 9 }, /brightness must be at most 2/],
      [{ ...plain, contrast: 'high' }, /contrast must be a finite number/],
      [{ ...plain, crop: { left: 0, top: 0, width: 0, height: 0 } }, /crop.width must be at least 1 pixel/],
      [{ ...plain, crop: { left: -5, top: 0, width: 10, height: 10 } }, /crop.left must not be negative/],
      [{ ...plain, crop: { left: 0.5, top: 0, width: 10, height: 10 } }, /crop.left must be a whole number/],
      ['crop please', /expected object/],
    ]
    for (const [edit, message] of cases) {
      const r = await call(relay.ui, '/api/v1/uploads', { token, json: { name: 'x.jpg', size: photo.length, mime: 'image/jpeg', edit } })
      t.same([r.status, r.body?.error?.code], [422, 'bad_picture_edit'], `${JSON.stringify(edit)}: 422 bad_picture_edit`)
      t.match(r.body?.error?.message, message, 'says which field and what to do')
      t.match(r.body?.error?.message, /Reset the edit/, 'and what to do')
    }
  })

  await t.test('edits the picture cannot take are refused at finish', async (t) => {
    const outside = await upload(relay.ui, token, 'wide.jpg', photo, { ...plain, crop: { left: 0, top: 0, width: 400, height: 300 } })
    t.same([outside.status, outside.body?.error?.code], [422, 'bad_picture_edit'], 'a crop wider than the upright picture')
    t.match(outside.body.error.message, /outside the picture, which is 300 × 400/, 'in words, with the size')
    const text = await upload(relay.ui, token, 'notes.txt', Buffer.from('not a picture at all'), { ...plain, rotate: 90 })
    t.same([text.status, text.body?.error?.code], [422, 'picture_not_editable'], 'a text file with an edit')
    const frames = [
      await sharp({ create: { width: 40, height: 40, channels: 3, background: '#000' } })
        .raw()
        .toBuffer(),
      await sharp({ create: { width: 40, height: 40, channels: 3, background: '#fff' } })
        .raw()
        .toBuffer(),
    ]
    const gif = await sharp(Buffer.concat(frames), { raw: { width: 40, height: 80, channels: 3, pageHeight: 40 } as never })
      .gif()
      .toBuffer()
    const animated = await upload(relay.ui, token, 'wave.gif', gif, { ...plain, rotate: 90 })
    t.same([animated.status, animated.body?.error?.code], [422, 'picture_not_editable'], 'an animated GIF with an edit')
    const again = await upload(relay.ui, token, 'wave.gif', gif)
    t.equal(again.status, 200, 'the same GIF without an edit is taken')
  })
})
