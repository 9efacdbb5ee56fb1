/**
 * Files across real daemons on three simulated machines: a 50 MiB file and a picture shared
 * on one machine arrive intact on another, the picture's sizes copied there at once, the big
 * file when it is opened; then the relay is killed, and a file shared before the kill (which
 * only the dead relay and the sender had) and one shared after it still arrive intact.
 */
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import t from 'tap'
import type { FileRef } from '../../shared/index.js'
import { canBuildLan, createLan, type Host } from './harness.js'
import { rawRequest, bearer, logIn, settledProbe, signUp } from './lan-helpers.js'

const can = canBuildLan()
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

async function share(host: Host, token: string, name: string, bytes: Buffer, text: string): Promise<{ file: FileRef; message: string }> {
  const started = await host.api('POST', '/api/v1/uploads', { name, size: bytes.length, mime: '' }, bearer(token))
  if (started.status !== 201) throw new Error(`upload refused: ${JSON.stringify(started.body)}`)
  await rawRequest(host, 'PATCH', `/api/v1/uploads/${started.body.id}`, token, bytes, {
    'content-type': 'application/offset+octet-stream',
    'upload-offset': '0',
  })
  const { file } = (await host.api('POST', `/api/v1/uploads/${started.body.id}/finish`, undefined, bearer(token))).body as { file: FileRef }
  const posted = await host.api('POST', '/api/v1/rooms/general/messages', { text, files: [file] }, bearer(token))
  if (posted.status !== 201) throw new Error(`post answered ${posted.status}: ${JSON.stringify(posted.body)}`)
  return { file, message: posted.body.message.id }
}

t.test('files between machines, and across a relay kill', { skip: can.ok ? false : can.reason }, async (t) => {
  const lan = await createLan(t, 3)
  await Promise.all(lan.hosts.map((h) => h.start()))
  const settled = await lan.waitFor('a settled LAN', () => settledProbe(lan.hosts), 30_000)
  const [a, b] = lan.hosts.filter((h) => h !== settled.relay) as [Host, Host]
  for (const name of ['alice', 'bob']) await signUp(a, name, 'files password')
  const alice = (await logIn(a, 'alice', 'files password')).token
  const bob = await lan.waitFor('bob on b', async () => (await logIn(b, 'bob', 'files password')).token)
  const fetchOn = (host: Host, s: { file: FileRef; message: string }, size = 'original') =>
    lan.waitFor(
      `${s.file.name} (${size}) on ${host.name}`,
      async () => {
        const r = await rawRequest(host, 'GET', `/api/v1/rooms/general/messages/${s.message}/files/${s.file.sha256}?size=${size}`, bob)
        return r.status === 200 && r.body
      },
      60_000,
    )

  const big = randomBytes(50 * 1024 * 1024)
  const photo = await sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#c84' } })
    .jpeg()
    .toBuffer()
  const t0 = Date.now()
  const first = await share(a, alice, 'dataset.bin', big, 'the data')
  t.comment(`50 MiB shared (uploaded on ${a.name}, then pushed to the relay ${settled.relay.name}) in ${Date.now() - t0} ms`)
  const picture = await share(a, alice, 'team.jpg', photo, 'the team')
  const thumbPath = join(b.dataDir, 'blobs', 'sha256', picture.file.picture!.thumbnail.slice(0, 2), picture.file.picture!.thumbnail)
  await lan.waitFor('the thumbnail copied to b before anyone opens it', async () => existsSync(thumbPath))
  t.ok(existsSync(thumbPath), `the picture's thumbnail reached ${b.name} by itself`)
  t.equal(sha(await fetchOn(b, picture, 'thumbnail')), picture.file.picture!.thumbnail, 'and b shows it')

  const killedAt = Date.now()
  await settled.relay.kill()
  const after = await lan.waitFor('a new relay', () => settledProbe([a, b]), 20_000)
  t.comment(`new relay ${after.relay.name} ${Date.now() - killedAt} ms after the kill`)
  const t1 = Date.now()
  t.equal(
    sha(await fetchOn(b, first)),
    first.file.sha256,
    'the 50 MiB file shared before the kill arrives intact on b (from the sender, the relay that had it being dead)',
  )
  t.comment(`50 MiB fetched on ${b.name} in ${Date.now() - t1} ms`)
  const second = await share(a, alice, 'dataset-2.bin', big.subarray(0, 20 * 1024 * 1024), 'more data')
  t.equal(sha(await fetchOn(b, second)), second.file.sha256, 'a 20 MiB file shared after the kill arrives intact too')
})
