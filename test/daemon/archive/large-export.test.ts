/**
 * A large room exports with bounded memory: 20,000 messages through a file stream (real
 * backpressure). The bound that is asserted is structural, not a figure of the heap: at every
 * chunk the writer has read at most one page (PAGE_SIZE messages) ahead of what it wrote, and
 * a consumer that stops taking chunks stops the reading. The RSS and heap growth are measured
 * and printed (not asserted: they depend on the garbage collector). The file is valid JSON with
 * every message, in order. Nothing about time is asserted.
 */
import { createReadStream, createWriteStream, statSync } from 'node:fs'
import { join } from 'node:path'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import pino from 'pino'
import t from 'tap'
import { type ArchiveSource, exportArchive, exportsInProgress, planExport } from '../../../daemon/archive/index.js'
import { PAGE_SIZE } from '../../../daemon/archive/pages.js'
import { Store, type Views } from '../../../daemon/store/index.js'
import type { Entry, EntryBody } from '../../../shared/index.js'
import { TestPeople } from '../../lib/accounts.js'

const MESSAGES = 20_000
const people = new TestPeople('alice', 'bob')
const WORDS = 'the relay keeps every entry in order while clients follow along and catch up after a partition'.split(' ')

/** The views, with a count of the messages the export has read out of them. */
function countingViews(views: Views, counter: { read: number }): Views {
  const msgs = views.subs.msgs
  const spy = {
    ...views.subs,
    msgs: Object.assign(Object.create(msgs), {
      iterator: (options: object) => {
        const it = msgs.iterator(options)
        return {
          all: async () => {
            const page = await it.all()
            counter.read += page.length
            return page
          },
        }
      },
      keys: (options: object) => msgs.keys(options),
    }),
  }
  return new Proxy(views, { get: (target, p) => (p === 'subs' ? spy : Reflect.get(target, p, target)) }) as Views
}

t.test('20,000 messages', async (t) => {
  const store = await Store.open(join(t.testdir(), 'db'))
  t.teardown(() => store.close())
  let seq = 0
  const entry = (body: EntryBody): Entry => ({
    id: `entry-${++seq}-xxxx`,
    ts: 1_700_000_000_000 + seq,
    origin: '0123456789abcdef',
    seq,
    term: 1,
    body,
  })
  await store.append([entry(people.created('alice')), entry(people.created('bob'))])
  for (let done = 0; done < MESSAGES; done += 1000) {
    const batch: Entry[] = []
    for (let i = done; i < done + 1000; i++) {
      const text = Array.from({ length: 8 + (i % 30) }, (_, k) => WORDS[(i * 7 + k) % WORDS.length]).join(' ')
      batch.push(entry({ type: 'message.posted', room: 'general', author: i % 2 ? 'alice' : 'bob', text: `${i}: ${text}` }))
    }
    await store.append(batch)
  }
  const counter = { read: 0 }
  const source: ArchiveSource = {
    views: countingViews(store.views, counter),
    head: store.log.head,
    network: 'test',
    username: 'alice',
    open: async (m) => m,
    thumbnail: async () => null,
    log: pino({ level: 'silent' }),
  }
  const plan = await planExport(source, (await store.views.q.room('general'))!)
  t.equal(plan.total, MESSAGES, 'counted up front')

  await t.test('to a file: never more than a page ahead; valid, complete JSON', async (t) => {
    const file = join(t.testdir(), 'export.json')
    ;(globalThis as { gc?: () => void }).gc?.()
    const rssBefore = process.memoryUsage().rss
    const heapBefore = process.memoryUsage().heapUsed
    let rssPeak = rssBefore
    let heapPeak = heapBefore
    let written = 0
    let aheadMax = 0
    const generator = exportArchive(source, plan, 'json')
    async function* watched() {
      for await (const chunk of generator) {
        // The header and closing lines are not messages; each other chunk is one message.
        if (chunk.startsWith('{"id"') || chunk.startsWith(',{"id"')) written++
        aheadMax = Math.max(aheadMax, counter.read - written)
        if (written % 1000 === 0) {
          // With --expose-gc (NODE_OPTIONS), what is kept rather than what is not collected yet.
          ;(globalThis as { gc?: () => void }).gc?.()
          const m = process.memoryUsage()
          rssPeak = Math.max(rssPeak, m.rss)
          heapPeak = Math.max(heapPeak, m.heapUsed)
        }
        yield chunk
      }
    }
    await pipeline(Readable.from(watched(), { objectMode: false }), createWriteStream(file, { highWaterMark: 16 * 1024 }))
    const size = statSync(file).size
    t.comment(
      `export of ${MESSAGES} messages: ${(size / 2 ** 20).toFixed(1)} MiB written; RSS growth ${((rssPeak - rssBefore) / 2 ** 20).toFixed(1)} MiB, heap growth ${((heapPeak - heapBefore) / 2 ** 20).toFixed(1)} MiB (peaks over the export${(globalThis as { gc?: unknown }).gc ? ', after a GC each 1000 messages' : ''})`,
    )
    t.equal(written, MESSAGES, 'every message written')
    t.ok(aheadMax <= PAGE_SIZE, `read at most one page ahead of the writing (${aheadMax} <= ${PAGE_SIZE})`)
    let text = ''
    for await (const c of createReadStream(file, { encoding: 'utf8' })) text += c
    const doc = JSON.parse(text)
    t.equal(doc.messages.length, MESSAGES, 'valid JSON with every message')
    t.equal(doc.messageCount, MESSAGES)
    t.ok(
      doc.messages.every((m: { seq: number }, i: number) => i === 0 || m.seq > doc.messages[i - 1].seq),
      'oldest first, each once',
    )
    t.equal(doc.messages[0].text.split(':')[0], '0', 'the first is the oldest')
  })

  await t.test('a consumer that stops taking chunks stops the reading', async (t) => {
    counter.read = 0
    let taken = 0
    const stalled = new Writable({
      highWaterMark: 1024,
      write(_chunk, _enc, done) {
        taken++
        // The client goes away after a few hundred messages.
        if (taken === 300) done(new Error('client gone'))
        else done()
      },
    })
    await t.rejects(pipeline(Readable.from(exportArchive(source, plan, 'html'), { objectMode: false }), stalled), /client gone/)
    t.equal(exportsInProgress(), 0, 'the export ended')
    t.ok(counter.read <= 300 + 2 * PAGE_SIZE, `it read ${counter.read} of ${MESSAGES} messages, not the rest`)
  })
})
