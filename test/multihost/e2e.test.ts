/**
 * Private rooms and direct conversations end to end, across four real daemons: the relay,
 * where nobody logs in; alice's and bob's machines; carol's, who is in neither. A private
 * room's and a conversation's words are read on the members' machines, and are nowhere on
 * any disk — not the relay's, not carol's, not even the members' (they are opened in memory
 * for a logged-in request only) — while a public message's words are on every disk, which
 * shows the scan would find them. Bob, once he has left, cannot read what is said next, even
 * after he is invited back. A file and a picture posted in the private room are downloaded
 * whole on bob's machine, and no byte of them — the file, the picture, its display size and
 * its thumbnail — nor their names is on any disk either (sealed with a key per file; the
 * sender's machine removes the plaintext once the message is queued).
 */
import { randomBytes } from 'node:crypto'
import sharp from 'sharp'
import t from 'tap'
import type { FileRef } from '../../shared/index.js'
import { canBuildLan, createLan, type Host } from './harness.js'
import { rawRequest, bearer, logIn, sameHead, settledProbe, signUp } from './lan-helpers.js'
import { diskText } from '../lib/disk.js'

const can = canBuildLan()
const PASSWORD = 'sealed rooms password'
const SECRET_WORDS = ['aubergine', 'nebula', 'cobalt', 'walrus', 'persimmon', 'welcome back']

async function upload(host: Host, token: string, name: string, bytes: Buffer): Promise<FileRef> {
  const started = await host.api('POST', '/api/v1/uploads', { name, size: bytes.length, mime: '' }, bearer(token))
  if (started.status !== 201) throw new Error(`upload refused: ${JSON.stringify(started.body)}`)
  const headers = { 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' }
  await rawRequest(host, 'PATCH', `/api/v1/uploads/${started.body.id}`, token, bytes, headers)
  return (await host.api('POST', `/api/v1/uploads/${started.body.id}/finish`, undefined, bearer(token))).body.file as FileRef
}

/** Three 32-byte pieces from the second half of `bytes` (past headers every such file shares), as latin1 to find in diskText. */
const slices = (bytes: Buffer) =>
  [0.55, 0.75, 0.95].map((at) => bytes.subarray(Math.floor(bytes.length * at) - 32, Math.floor(bytes.length * at)).toString('latin1'))

t.test('private words are read by members and stored nowhere in the clear', { skip: can.ok ? false : can.reason }, async (t) => {
  const lan = await createLan(t, 4)
  // One after another: four daemons starting at once on a busy 2-core machine can miss the 20 s start bound.
  for (const host of lan.hosts) await host.start()
  const settled = await lan.waitFor('a settled LAN', () => settledProbe(lan.hosts), 30_000)
  const [a, b, c] = lan.hosts.filter((h) => h !== settled.relay) as [Host, Host, Host]
  for (const name of ['alice', 'bob', 'carol']) await signUp(a, name, PASSWORD)
  await lan.waitFor('the accounts everywhere', () => sameHead(lan.hosts, 3))
  const as =
    (host: Host, token: string) =>
    // biome-ignore lint/suspicious/noExplicitAny: tests read any field of any answer and assert on it
    <T = any>(method: string, path: string, body?: unknown) =>
      host.api<T>(method, path, body, bearer(token))
  const aliceToken = (await logIn(a, 'alice', PASSWORD)).token
  const bobToken = (await logIn(b, 'bob', PASSWORD)).token
  const A = as(a, aliceToken)
  const B = as(b, bobToken)
  const C = as(c, (await logIn(c, 'carol', PASSWORD)).token)

  const made = await A('POST', '/api/v1/rooms', { name: 'launch', kind: 'private', invite: ['bob'] })
  t.match(made.body.room, { kind: 'private', encrypted: true }, 'alice makes an encrypted private room with bob')
  const room = made.body.room.id as string
  t.equal((await A('POST', `/api/v1/rooms/${room}/messages`, { text: 'aubergine nebula at dawn' })).status, 201)
  const dm = await A('POST', '/api/v1/direct', { with: ['bob'] })
  t.match(dm.body.room, { kind: 'direct', encrypted: true }, 'and a conversation with him')
  const dmId = dm.body.room.id as string
  await lan.waitFor('the conversation on bob’s machine', async () => (await B('GET', `/api/v1/rooms/${dmId}`)).status === 200)
  t.equal((await B('POST', `/api/v1/rooms/${dmId}/messages`, { text: 'cobalt walrus' })).status, 201, 'bob writes from his machine')
  t.equal((await A('POST', '/api/v1/rooms/general/messages', { text: 'public lighthouse' })).status, 201)

  const readOn = (f: typeof A, id: string, n: number) =>
    lan.waitFor(`${n} messages`, async () => {
      const r = await f('GET', `/api/v1/rooms/${id}/messages`)
      if (r.body?.messages?.length !== n) throw new Error(`${r.status} ${JSON.stringify(r.body)}`)
      return r.body.messages as { text: string; unreadable?: string; encrypted?: boolean }[]
    })
  t.match(await readOn(B, room, 1), [{ text: 'aubergine nebula at dawn', encrypted: true }], 'bob reads the room on his machine')
  t.match(await readOn(A, dmId, 1), [{ text: 'cobalt walrus', encrypted: true }], 'alice reads the conversation on hers')
  t.equal((await C('GET', `/api/v1/rooms/${room}/messages`)).body?.error?.code, 'not_a_member', 'carol is refused on her machine')

  // A file and a picture in the private room: sealed on alice's machine, opened on bob's.
  const marker = Buffer.from('FILE-MARKER-4c1d7e-sealed-bytes\n')
  const document = Buffer.concat([...Array.from({ length: 4000 }, () => marker), randomBytes(10)])
  const noise = await sharp(randomBytes(480 * 320 * 3), { raw: { width: 480, height: 320, channels: 3 } })
    .png()
    .toBuffer()
  const file = await upload(a, aliceToken, 'launch-budget-v2k.txt', document)
  const picture = await upload(a, aliceToken, 'launch-site-p8q.png', noise)
  t.ok(picture.picture, 'the picture is described as one on alice’s machine')
  const withFiles = await A('POST', `/api/v1/rooms/${room}/messages`, { text: 'the files', files: [file, picture] })
  t.equal(withFiles.status, 201, 'alice posts them in the private room')
  t.match(await readOn(B, room, 2), [{}, { text: 'the files', files: [{ name: 'launch-budget-v2k.txt' }, {}] }], 'bob sees them')
  const filePath = (f: FileRef, size: string) =>
    `/api/v1/rooms/${room}/messages/${withFiles.body.message.id}/files/${f.sha256}?size=${size}`
  const got = await rawRequest(b, 'GET', filePath(file, 'original'), bobToken)
  t.ok(got.status === 200 && got.body.equals(document), 'bob downloads the file whole on his machine')
  const sizes: Record<string, Buffer> = {}
  for (const size of ['original', 'display', 'thumbnail']) {
    const r = await rawRequest(b, 'GET', filePath(picture, size), bobToken)
    t.equal(r.status, 200, `and the picture's ${size}`)
    sizes[size] = r.body
  }
  const carolToken = (await logIn(c, 'carol', PASSWORD)).token
  t.equal((await rawRequest(c, 'GET', filePath(file, 'original'), carolToken)).status, 403, 'carol cannot download it on her machine')
  const fileNeedles = [
    marker.toString('latin1'),
    'launch-budget-v2k',
    'launch-site-p8q',
    ...slices(noise),
    ...Object.values(sizes).flatMap(slices),
  ]

  t.equal((await B('POST', `/api/v1/rooms/${room}/leave`)).status, 204, 'bob leaves')
  await lan.waitFor('bob gone on alice’s machine', async () => (await A('GET', `/api/v1/rooms/${room}`)).body?.room?.memberCount === 1)
  t.equal((await A('POST', `/api/v1/rooms/${room}/messages`, { text: 'persimmon, now that bob is gone' })).status, 201)
  t.equal((await A('POST', `/api/v1/rooms/${room}/members`, { username: 'bob' })).status, 200, 'alice invites him back')
  t.equal((await A('POST', `/api/v1/rooms/${room}/messages`, { text: 'welcome back, bob' })).status, 201)
  const back = await readOn(B, room, 4)
  t.match(
    back.map((m) => [m.text, m.unreadable]),
    [
      ['aubergine nebula at dawn', undefined],
      ['the files', undefined],
      ['', 'no_key'],
      ['welcome back, bob', undefined],
    ],
    'on his machine, bob reads what was said while he was in, not what was said while he was out',
  )

  const head = await lan.waitFor('every replica at the same head', () => sameHead(lan.hosts, 1))
  t.ok(head > 10, `every replica has the whole log (${head} entries)`)
  for (const host of lan.hosts) await host.stop()
  for (const host of lan.hosts) {
    const who =
      host === settled.relay ? 'the relay (no member)' : host === c ? 'carol’s machine (not a member)' : `${host.name} (a member’s)`
    const disk = diskText(host.dataDir)
    t.match(disk, /public lighthouse/, `${who}: a public message's words are on disk, so the scan finds words`)
    for (const word of SECRET_WORDS) t.notMatch(disk, new RegExp(word), `${who}: "${word}" is nowhere on disk`)
    const found = fileNeedles.filter((needle) => disk.includes(needle)).length
    t.equal(found, 0, `${who}: no byte of the private file, the picture or its sizes (thumbnail included), nor their names, on disk`)
  }
})
