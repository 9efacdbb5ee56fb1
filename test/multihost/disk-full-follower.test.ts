/**
 * A follower whose disk fills while the relay writes on (issue 16): h2's database folder is a
 * 16 MiB tmpfs, nearly filled. The relay (h1, plenty of disk) takes message after message;
 * h2 cannot apply them: it must not crash, must not acknowledge what it did not write (a post
 * on h2 is refused 507 disk_full in words, since its outbox cannot take it either), its status
 * says full; once space is freed it catches up by itself, without a restart, to the very log
 * the relay holds.
 *
 * Needs root (network namespaces, mount). Built code (dist/): `npm run build` first.
 */
import { randomBytes } from 'node:crypto'
import { execFile } from 'node:child_process'
import { mkdir, rm, statfs, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import type { Status } from '../../shared/index.js'
import { canBuildLan, createLan } from './harness.js'
import { bearer, logIn, messages, sameHead, settledProbe, signUp } from './lan-helpers.js'

const run = promisify(execFile)
const can = canBuildLan()
const PASSWORD = 'a follower with a small disk'
const MIB = 1024 * 1024
/** Left free on h2's database disk by the filler: a few hundred KB of messages, then full. */
const LEFT_FREE = 3 * MIB
const MAX_POSTS = 600

t.test(
  'a follower with a full disk: no crash, nothing acknowledged unwritten, catches up once space is back',
  { skip: can.ok ? false : can.reason },
  async (t) => {
    const lan = await createLan(t, 2)
    const [h1, h2] = lan.hosts as [(typeof lan.hosts)[0], (typeof lan.hosts)[0]]
    const db = join(h2.dataDir, 'db')
    await mkdir(db)
    await run('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', db])
    // h2 stops first so the tmpfs is free; the unmount is lazy all the same, in case it is still busy.
    t.teardown(async () => {
      if (h2.running) await h2.stop()
      await run('umount', ['-l', db]).catch((err: unknown) => t.comment(`umount ${db}: ${(err as Error).message}`))
      await rm(join(db, 'filler'), { force: true })
    })

    await h1.start()
    await lan.waitFor('h1 the relay', async () => (await h1.status()).role === 'relay', 30_000)
    await h2.start()
    const settled = await lan.waitFor('one relay', () => settledProbe([h1, h2]), 30_000)
    t.equal(settled.relay, h1, 'h1 is the relay, h2 follows')
    await signUp(h1, 'writer', PASSWORD)
    await lan.waitFor('the account on both', () => sameHead([h1, h2], 1), 15_000)
    const one = await logIn(h1, 'writer', PASSWORD)
    const two = await logIn(h2, 'writer', PASSWORD)

    const fs = await statfs(db)
    await writeFile(join(db, 'filler'), Buffer.alloc(Math.max(0, fs.bavail * fs.bsize - LEFT_FREE)))
    let h2Full = false
    let posted = 0
    for (let i = 0; i < MAX_POSTS && !h2Full; i++) {
      const r = await h1.api(
        'POST',
        '/api/v1/rooms/general/messages',
        { text: `${i} ${randomBytes(9000).toString('base64')}` },
        bearer(one.token),
      )
      if (r.status !== 201) throw new Error(`the relay refused post ${i}: ${r.status} ${JSON.stringify(r.body)}`)
      posted++
      if (i % 20 === 19) h2Full = (await h2.status()).disk.full
    }
    t.ok(h2Full, `h2's disk filled while the relay took ${posted} messages`)
    const during = await Promise.all([h1.status(), h2.status()])
    t.ok(during[1].head < during[0].head, `h2 is behind (${during[1].head} of ${during[0].head}): it did not pretend to apply`)
    const refused = await h2.api<{ error: { code: string; message: string } }>(
      'POST',
      '/api/v1/rooms/general/messages',
      { text: 'from h2' },
      bearer(two.token),
    )
    t.equal(refused.status, 507, 'a post on h2 is refused 507')
    t.match(refused.body.error, { code: 'disk_full', message: /disk is full.*Free some space/s }, 'in words')
    t.ok((await messages(h2, two.token, 5)).length > 0, 'h2 still reads')
    t.ok(h2.running, 'h2 did not crash')

    await rm(join(db, 'filler'))
    const head = (await h1.status()).head
    await lan.waitFor('h2 caught up', () => sameHead([h1, h2], head), 60_000)
    const after: Status = await h2.status()
    t.equal(after.disk.full, false, 'h2 says its disk has space again')
    const onOne = (await messages(h1, one.token, 500)).map((m) => `${m.seq}:${m.id}`)
    const onTwo = (await messages(h2, two.token, 500)).map((m) => `${m.seq}:${m.id}`)
    t.same(onTwo, onOne, 'h2 holds the very log the relay holds')
    const sent = await h2.api('POST', '/api/v1/rooms/general/messages', { text: 'h2 again' }, bearer(two.token))
    t.equal(sent.status, 201, 'and posts again, without a restart')
  },
)
