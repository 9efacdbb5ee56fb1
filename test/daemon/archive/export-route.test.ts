/**
 * GET /api/v1/export on a real daemon (loopback, mDNS off): a room with edits, deletes,
 * reactions, a file and a picture exports as complete, valid JSON; a private (sealed) room is
 * opened for a member and refused to a non-member, and left out of the non-member's
 * "everything"; the HTML export escapes hostile text, runs nothing, carries its CSP and shows
 * the picture's thumbnail as a data: URI; bad input gets its code, never a 500; a client that
 * goes away stops the export.
 */
import { createHash } from 'node:crypto'
import sharp from 'sharp'
import t from 'tap'
import { exportsInProgress } from '../../../daemon/archive/index.js'
import { call, startLocalDaemon, waitFor } from '../http/local-daemon.js'

const PASSWORD = 'export of velvet lamps'
const HOSTILE = ['<script>alert(1)</script>', '"><img src=x onerror=alert(2)>', 'abc\u202Egnp.exe', "it's & <b>bold</b>"]

t.test('export', async (t) => {
  const daemon = await startLocalDaemon(t, t.testdir(), 'solo')
  const ui = daemon.ui
  await waitFor('a relay', async () => (await call(ui, '/api/v1/status')).body.role === 'relay')
  const tokens: Record<string, string> = {}
  for (const name of ['alice', 'bob', 'carol']) {
    t.equal((await call(ui, '/api/v1/accounts', { json: { username: name, password: PASSWORD } })).status, 201, `${name} signs up`)
    tokens[name] = (await call(ui, '/api/v1/sessions', { json: { username: name, password: PASSWORD } })).body.token
  }
  const as =
    (name: string) =>
    (path: string, c: Parameters<typeof call>[2] = {}) =>
      call(ui, path, { token: tokens[name], ...c })
  const alice = as('alice')
  const bob = as('bob')
  const post = async (room: string, body: unknown, who = alice) => {
    const r = await who(`/api/v1/rooms/${room}/messages`, { json: body })
    if (r.status !== 201) throw new Error(`posting failed: ${r.status} ${JSON.stringify(r.body)}`)
    return r.body.message as { id: string; seq: number }
  }
  const exportOf = (name: string, query: string) =>
    fetch(`${ui}/api/v1/export?${query}`, { headers: { authorization: `Bearer ${tokens[name]}` } })

  // general: plain, edited, deleted, reacted, a file, a picture, hostile texts.
  const plain = await post('general', { text: 'hello\nsecond line' })
  const edited = await post('general', { text: 'first draft' })
  await alice(`/api/v1/rooms/general/messages/${edited.id}`, { method: 'PUT', json: { text: 'final words' } })
  const gone = await post('general', { text: 'regrettable' })
  await alice(`/api/v1/rooms/general/messages/${gone.id}`, { method: 'DELETE' })
  await bob(`/api/v1/rooms/general/messages/${plain.id}/reaction`, { method: 'PUT', json: { emoji: '👍', on: true } })
  const upload = async (name: string, bytes: Buffer, mime: string) => {
    const started = await alice('/api/v1/uploads', { json: { name, size: bytes.length, mime } })
    await fetch(`${ui}/api/v1/uploads/${started.body.id}`, {
      method: 'PATCH',
      body: new Uint8Array(bytes),
      headers: { authorization: `Bearer ${tokens.alice}`, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
    })
    return (await alice(`/api/v1/uploads/${started.body.id}/finish`, { method: 'POST' })).body.file
  }
  const notes = Buffer.from('meeting notes\n')
  const doc = await upload('notes.txt', notes, 'text/plain')
  const jpeg = await sharp({ create: { width: 600, height: 400, channels: 3, background: '#c84' } })
    .jpeg()
    .toBuffer()
  const pic = await upload('holiday.jpg', jpeg, 'image/jpeg')
  const withFiles = await post('general', { text: 'files', files: [doc, pic] })
  for (const text of HOSTILE) await post('general', { text })
  const topic = await alice('/api/v1/rooms/general', { method: 'PATCH', json: { topic: 'plans\n<script>alert(3)</script>' } })
  t.equal(topic.status, 200, 'a hostile, two-line topic')

  // A private room: sealed for alice and bob.
  const made = await alice('/api/v1/rooms', { json: { name: 'plans', kind: 'private', invite: ['bob'] } })
  t.equal(made.status, 201, 'a private room')
  const plans = made.body.room.id as string
  await post(plans, { text: 'the vault code is 1234' })
  await post(plans, { text: 'ack' }, bob)

  await t.test('JSON of a room: valid, complete, files by SHA-256', async (t) => {
    const res = await exportOf('alice', 'room=general&format=json')
    t.equal(res.status, 200)
    t.match(
      res.headers.get('content-disposition'),
      /^attachment; filename="sochat-general-\d{8}-\d{4}\.json"$/,
      'a download with a safe name',
    )
    const text = await res.text()
    const doc1 = JSON.parse(text)
    const count = 4 + HOSTILE.length
    t.equal(res.headers.get('x-export-messages'), String(count), 'the count is said up front')
    t.equal(text.split('\n').length - 1, Number(res.headers.get('x-export-lines')), 'the line count is said up front')
    t.match(doc1, { format: 'sochat-export', version: 1, exportedBy: 'alice', messageCount: count })
    t.match(doc1.rooms, [{ id: 'general', kind: 'public', name: 'general', members: ['alice', 'bob', 'carol'], messages: count }])
    t.equal(doc1.messages.length, count, 'every message')
    const byId = new Map(doc1.messages.map((m: { id: string }) => [m.id, m]))
    t.match(byId.get(plain.id), { text: 'hello\nsecond line', reactions: [{ emoji: '👍', users: ['bob'] }], deleted: false, edited: null })
    t.match(byId.get(edited.id), { text: 'final words', edited: Number })
    t.match(byId.get(gone.id), { text: '', deleted: true })
    t.same(
      (byId.get(withFiles.id) as { files: unknown[] }).files.map((f) => (f as { sha256: string; name: string }).name),
      ['notes.txt', 'holiday.jpg'],
    )
    t.match(byId.get(withFiles.id), {
      files: [
        { sha256: createHash('sha256').update(notes).digest('hex'), name: 'notes.txt', size: notes.length, mime: 'text/plain' },
        { sha256: pic.sha256, name: 'holiday.jpg', picture: { thumbnail: pic.picture.thumbnail } },
      ],
    })
    const seqs = doc1.messages.map((m: { seq: number }) => m.seq)
    t.same(
      seqs,
      [...seqs].sort((a: number, b: number) => a - b),
      'oldest first',
    )
    t.notOk(text.includes('"sealed"'), 'no sealed form in an export')
  })

  await t.test('a sealed room: opened for a member, refused to anyone else', async (t) => {
    const mine = JSON.parse(await (await exportOf('bob', `room=${plans}`)).text())
    t.match(mine.rooms, [{ id: plans, kind: 'private', name: 'plans', members: ['alice', 'bob'], encrypted: true }])
    t.match(mine.messages, [
      { author: 'alice', text: 'the vault code is 1234', encrypted: true, unreadable: null },
      { author: 'bob', text: 'ack', encrypted: true },
    ])
    const refused = await exportOf('carol', `room=${plans}`)
    t.same([refused.status, (await refused.json()).error.code], [403, 'not_a_member'], 'a non-member is refused')
    const all = await (await exportOf('carol', '')).text()
    const everything = JSON.parse(all)
    t.notOk(
      everything.rooms.some((r: { id: string }) => r.id === plans),
      "the private room is not in a non-member's everything",
    )
    t.notOk(all.includes('vault'), 'nor any of its words')
    const alices = JSON.parse(await (await exportOf('alice', '')).text())
    t.same(
      alices.rooms.map((r: { id: string }) => r.id),
      ['general', plans],
      "a member's everything has it",
    )
    t.equal(alices.messages.length, alices.messageCount)
  })

  await t.test('a member who joined later: what was sealed before is exported with its reason', async (t) => {
    const dave = (await call(ui, '/api/v1/accounts', { json: { username: 'dave', password: PASSWORD } })).status
    t.equal(dave, 201)
    tokens.dave = (await call(ui, '/api/v1/sessions', { json: { username: 'dave', password: PASSWORD } })).body.token
    t.equal((await alice(`/api/v1/rooms/${plans}/members`, { json: { username: 'dave' } })).status, 200, 'dave is invited')
    await post(plans, { text: 'welcome dave' })
    const res = await exportOf('dave', `room=${plans}`)
    t.equal(res.status, 200, 'not an error')
    const doc = JSON.parse(await res.text())
    t.match(doc.messages, [
      { author: 'alice', text: '', encrypted: true, unreadable: 'no_key' },
      { author: 'bob', text: '', encrypted: true, unreadable: 'no_key' },
      { author: 'alice', text: 'welcome dave', encrypted: true, unreadable: null },
    ])
    const html = await (await exportOf('dave', `room=${plans}&format=html`)).text()
    t.ok(html.includes('(encrypted; cannot be read here: no_key)'), 'the page says why')
    t.notOk(html.includes('vault'), 'and shows nothing of it')
  })

  await t.test('HTML: escaped, no script, its CSP, the thumbnail inline', async (t) => {
    const res = await exportOf('alice', 'room=general&format=html')
    t.equal(res.status, 200)
    t.match(res.headers.get('content-type'), /^text\/html/)
    t.match(res.headers.get('content-disposition'), /^attachment; filename="sochat-general-.*\.html"$/)
    const html = await res.text()
    t.equal(html.split('\n').length - 1, Number(res.headers.get('x-export-lines')), 'the line count is said up front')
    t.ok(
      html.includes(
        `<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; img-src data:; style-src &#39;unsafe-inline&#39;">`,
      ),
      'its own CSP',
    )
    t.notOk(/<script/i.test(html), 'no <script> anywhere')
    t.notOk(/<img[^>]*onerror/i.test(html), 'no live onerror')
    // Text never holds a raw '<' (it is &lt;), so every '<' starts a real tag: none has a handler.
    const tags = html.match(/<[a-z][^>]*>/gi) ?? []
    t.same(
      tags.filter((tag) => /\son\w+\s*=/i.test(tag)),
      [],
      'no tag has an event handler attribute',
    )
    t.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'the script is text')
    t.ok(html.includes('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;'), 'the broken-out attribute is text')
    t.ok(html.includes('<bdi>abc\u202Egnp.exe</bdi>'), 'a direction override stays inside its <bdi>')
    t.ok(html.includes('hello<br>second line'), 'line breaks kept')
    t.ok(html.includes('Topic: <bdi>plans<br>&lt;script&gt;alert(3)&lt;/script&gt;</bdi>'), 'the topic escaped, on one line')
    const thumb = await (
      await fetch(`${ui}/api/v1/rooms/general/messages/${withFiles.id}/files/${pic.sha256}?size=thumbnail`, {
        headers: { authorization: `Bearer ${tokens.alice}` },
      })
    ).arrayBuffer()
    t.ok(html.includes(`src="data:image/jpeg;base64,${Buffer.from(thumb).toString('base64')}"`), 'the thumbnail, as the page is served it')
    t.ok(html.includes('notes.txt</bdi> (14 B)'), 'another file by name and size')
    t.ok(html.includes('(deleted)') && !html.includes('regrettable'), 'a deleted message says so, without its words')
  })

  await t.test("a picture in a sealed room: its thumbnail opened for a member, through the file route's reader", async (t) => {
    const sealedJpeg = await sharp({ create: { width: 500, height: 300, channels: 3, background: '#2a6' } })
      .jpeg()
      .toBuffer()
    const secretPic = await upload('secret-plan.jpg', sealedJpeg, 'image/jpeg')
    const posted = await post(plans, { text: 'the map', files: [secretPic] })
    const served = await fetch(`${ui}/api/v1/rooms/${plans}/messages/${posted.id}/files/${secretPic.sha256}?size=thumbnail`, {
      headers: { authorization: `Bearer ${tokens.bob}` },
    })
    t.equal(served.status, 200, 'the file route opens it for bob')
    const thumb = Buffer.from(await served.arrayBuffer())
    const html = await (await exportOf('bob', `room=${plans}&format=html`)).text()
    t.ok(html.includes(`src="data:image/jpeg;base64,${thumb.toString('base64')}"`), 'the opened thumbnail, inline')
    const doc = JSON.parse(await (await exportOf('bob', `room=${plans}`)).text())
    t.match(doc.messages.at(-1), { text: 'the map', encrypted: true, files: [{ sha256: secretPic.sha256, name: 'secret-plan.jpg' }] })
  })

  await t.test('bad input: its code, never a 500', async (t) => {
    const cases: [string, number, string][] = [
      ['room=r-zzzzzzzzzzzz', 404, 'unknown_room'],
      ['room=..%2F..%2Fetc', 404, 'unknown_room'],
      ['room=general&format=pdf', 400, 'bad_request'],
      ['room=general&format=', 400, 'bad_request'],
    ]
    for (const [query, status, code] of cases) {
      const r = await exportOf('alice', query)
      t.same([r.status, (await r.json()).error.code], [status, code], query)
    }
    const anon = await fetch(`${ui}/api/v1/export`)
    t.equal(anon.status, 401, 'no session, no export')
  })

  await t.test('a client that goes away stops the export', async (t) => {
    // Enough messages that the export cannot fit in the socket's buffers at once.
    const big = (await alice('/api/v1/rooms', { json: { name: 'big' } })).body.room.id as string
    const line = 'x'.repeat(3000)
    for (let i = 0; i < 300; i++) await post(big, { text: `${i} ${line}` })
    const stop = new AbortController()
    const res = await fetch(`${ui}/api/v1/export?room=${big}`, {
      headers: { authorization: `Bearer ${tokens.alice}` },
      signal: stop.signal,
    })
    const reader = res.body!.getReader()
    await reader.read()
    t.equal(exportsInProgress(), 1, 'the export runs, held back by its reader')
    stop.abort()
    await waitFor('the export to stop', async () => exportsInProgress() === 0)
    t.pass('stopped when its client went away')
    t.equal((await exportOf('alice', 'room=general')).status, 200, 'the daemon goes on serving exports')
  })
})
