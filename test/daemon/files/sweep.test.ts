/**
 * Files no message refers to are removed (daemon/files/sweep.ts): against a real blob store,
 * with blobs made old by setting their times. Kept: a message's file and a picture's smaller
 * sizes, an account's picture, a message still in the outbox, an entry applied while the
 * sweep reads, and anything younger than the hour's grace.
 */
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { utimes } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import t from 'tap'
import pino from 'pino'
import type { Entry, EntryBody, FileRef, Submission } from '../../../shared/index.js'
import { BlobStore, BlobSweeper, SWEEP_GRACE_MS, sweepable } from '../../../daemon/files/index.js'
import { Relay } from '../../../daemon/relay/index.js'
import { Replica } from '../../../daemon/replica/index.js'
import { Store } from '../../../daemon/store/index.js'
import { TestPeople } from '../../lib/accounts.js'

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const HOUR = 60 * 60_000

t.test('sweepable: old and unreferenced only', async (t) => {
  const now = 10 * HOUR
  const blobs = [
    { sha256: 'a', mtimeMs: now - 2 * HOUR },
    { sha256: 'b', mtimeMs: now - 2 * HOUR },
    { sha256: 'c', mtimeMs: now - 10 * 60_000 },
  ]
  t.same(sweepable(blobs, new Set(['b']), now), ['a'])
  t.equal(SWEEP_GRACE_MS, HOUR)
})

t.test('a sweep removes an old unreferenced blob and keeps referenced and young ones', async (t) => {
  const blobs = await BlobStore.open(t.testdir(), 0)
  const add = async (old: boolean) => {
    const bytes = randomBytes(100)
    const { sha256 } = await blobs.receive(Readable.from([bytes]), { maxBytes: 1000, expected: sha(bytes) })
    if (old) await utimes(blobs.path(sha256), new Date(Date.now() - 2 * HOUR), new Date(Date.now() - 2 * HOUR))
    return sha256
  }
  const unreferenced = await add(true)
  const young = await add(false)
  const file = await add(true)
  const thumbnail = await add(true)
  const display = await add(true)
  const avatar = await add(true)
  const waiting = await add(true)
  const appliedMeanwhile = await add(true)
  const deletedMessages = await add(true)
  const sealedBlob = await add(true)

  const ref = (sha256: string, picture?: { thumbnail: string; display: string }): FileRef => ({
    sha256,
    name: 'f.bin',
    size: 100,
    mime: 'application/octet-stream',
    ...(picture
      ? { picture: { ...picture, width: 10, height: 10, thumbnailWidth: 5, thumbnailHeight: 5, mime: 'image/jpeg' as const } }
      : {}),
  })
  const pending: Submission = {
    id: 'pending-0001',
    ts: Date.now(),
    origin: 'c'.repeat(16),
    body: { type: 'message.posted', room: 'general', author: 'alice', text: '', files: [ref(waiting)] },
  }
  const applied = new Set<(entries: Entry[]) => void>()
  const sweeper = new BlobSweeper(
    blobs,
    {
      async *messageFiles() {
        yield { files: [ref(file, { thumbnail, display })] }
        yield { blobs: [{ sha256: sealedBlob, size: 100 }] }
        // A message ordered while the sweep reads the views.
        const entry = {
          ...pending,
          id: 'applied-0001',
          seq: 5,
          term: 1,
          body: { ...pending.body, files: [ref(appliedMeanwhile)] },
        } as Entry
        for (const fn of applied) fn([entry])
      },
      avatars: async () => [avatar],
      pending: async () => [pending],
      onApplied: (fn) => {
        applied.add(fn)
        return () => applied.delete(fn)
      },
    },
    pino({ level: 'silent' }),
  )
  t.equal(await sweeper.sweep(), 2, 'two removed')
  const here = (s: string) => existsSync(blobs.path(s))
  t.notOk(here(unreferenced), 'an old file no message names: removed')
  t.notOk(here(deletedMessages), "a deleted message's file (the views no longer name it): removed")
  t.ok(here(young), 'a young one, whose message may still come: kept')
  t.ok(here(file) && here(thumbnail) && here(display), 'a message’s file and its picture sizes: kept')
  t.ok(here(avatar), 'a profile picture: kept')
  t.ok(here(sealedBlob), "a sealed message's sealed blob: kept")
  t.ok(here(waiting), 'a message still in the outbox: kept')
  t.ok(here(appliedMeanwhile), 'a message ordered during the sweep: kept')
  t.equal(applied.size, 0, 'it stops listening when done')
  t.equal(await sweeper.sweep(), 0, 'nothing more to remove')
})

t.test("the views name a message's files until the message is deleted", async (t) => {
  const store = await Store.open(join(t.testdir(), 'db'))
  t.teardown(() => store.close())
  const relay = new Relay(
    new Replica(store),
    1,
    {
      nodeId: 'r'.repeat(16),
      name: 'relay',
      network: 'default',
      peerPort: 1,
      startedAt: Date.now(),
      presence: () => ({ users: [], away: [] }),
      hasBlob: async () => true,
      maxFileBytes: 1000,
    },
    pino({ level: 'silent' }),
    { roster: () => undefined, typing: () => undefined },
  )
  t.teardown(() => relay.stop('test over'))
  const people = new TestPeople('alice')
  const order = (id: string, body: EntryBody) => relay.order(people.sign({ id, ts: Date.now(), origin: 'c'.repeat(16), body }))
  t.match(await order('sweep-00001', people.created('alice')), { ok: true })
  const file = (n: number): FileRef => ({ sha256: String(n).repeat(64), name: 'f.bin', size: 1, mime: 'application/octet-stream' })
  t.match(await order('sweep-00002', { type: 'message.posted', room: 'general', author: 'alice', text: '', files: [file(1)] }), {
    ok: true,
  })
  t.match(await order('sweep-00003', { type: 'message.posted', room: 'general', author: 'alice', text: '', files: [file(2)] }), {
    ok: true,
  })
  t.match(await order('sweep-00004', { type: 'message.deleted', room: 'general', target: 'sweep-00003', author: 'alice' }), { ok: true })
  const named: string[] = []
  for await (const m of store.views.messageFiles()) named.push(...(m.files ?? []).map((f) => f.sha256))
  t.same(named, [file(1).sha256], 'only the message still there names its file')
})
