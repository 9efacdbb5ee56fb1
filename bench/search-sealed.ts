/**
 * The first search after log-in in an account with end-to-end encrypted rooms (issue 15):
 * sealed messages are never in the disk index, so that search builds the person's `:memory:`
 * index (daemon/search/sealed.ts), opening every sealed message of their rooms with the real
 * opener (daemon/http/message-opener.ts: one sealed-box opening of the room key, then
 * XChaCha20-Poly1305 per message, libsodium). In this process, no daemon: a Store with one
 * private encrypted room of N sealed messages (the texts of bench/search.ts's corpus, each
 * sealed under a real room key) and the daemon's Search over it. Figures: time to the first
 * result (the build included), the next search (warm), and the RSS growth of the process
 * (both threads) across the first search. Alone: `npx tsx bench/search-sealed.ts [N...]`.
 */
import pino from 'pino'
import type { Entry, Message } from '../shared/index.js'
import { parseSearchQuery } from '../shared/index.js'
import { newAccountSecrets, publicKeysOf } from '../daemon/accounts/keys.js'
import { MessageOpener } from '../daemon/http/message-opener.js'
import { Search } from '../daemon/search/index.js'
import { encryptContent, newRoomKey, roomKeyCommitment, sealRoomKey } from '../daemon/sealing/index.js'
import { Store } from '../daemon/store/index.js'
import { round, tempDir } from './proc.js'
import { corpus, rng, vocabulary } from './search.js'

const ROOM = 'r-sealedbench1'
const NODE = '0123456789abcdef'

export interface SealedSearchCost {
  messages: number
  firstMs: number
  warmMs: number
  rssGrowthMiB: number
  hits: number
}

export async function sealedSearchCost(messages: number): Promise<SealedSearchCost> {
  const tmp = tempDir('search-sealed')
  const log = pino({ level: 'silent' })
  const store = await Store.open(`${tmp.dir}/db`)
  let search: Search | undefined
  try {
    const alice = newAccountSecrets()
    const key = await newRoomKey()
    const bodies: Entry['body'][] = [
      { type: 'room.created', room: ROOM, kind: 'private', name: 'sealed', topic: '', creator: 'alice', members: ['alice'] },
      {
        type: 'room.key',
        room: ROOM,
        by: 'alice',
        epoch: 1,
        sealed: { alice: await sealRoomKey(key, publicKeysOf(alice).box) },
        commitment: await roomKeyCommitment(key, { room: ROOM, epoch: 1 }),
      },
    ]
    for (const m of corpus(messages)) {
      const sealed = await encryptContent(key, { room: ROOM, epoch: 1, author: 'alice' }, { text: m.text })
      bodies.push({ type: 'message.posted', room: ROOM, author: 'alice', text: '', sealed })
    }
    for (let seq = 1; seq <= bodies.length; seq += 2000) {
      const chunk = bodies.slice(seq - 1, seq - 1 + 2000)
      await store.append(
        chunk.map((body, i) => ({
          id: `e${seq + i}`,
          ts: Date.UTC(2026, 10, 1) + (seq + i) * 1000,
          origin: NODE,
          seq: seq + i,
          term: 1,
          body,
        })),
      )
    }
    search = await Search.open(tmp.dir, store, log)
    await search.indexer.settled()
    const parsed = parseSearchQuery(vocabulary(50_000, rng(7))[3]!)
    if (!parsed.ok) throw new Error('the common word is not a query')
    const ask = { query: parsed.query, limit: 20, sort: 'newest' as const }
    const opener = new MessageOpener(store.views.q, 'alice', Buffer.from(alice.box), log)
    const open = (m: Message) => opener.open(m)
    const rssBefore = process.memoryUsage().rss
    let t = performance.now()
    const first = await search.search('alice', ask, open)
    const firstMs = performance.now() - t
    const rssGrowthMiB = (process.memoryUsage().rss - rssBefore) / 2 ** 20
    t = performance.now()
    await search.search('alice', ask, open)
    const warmMs = performance.now() - t
    opener.close()
    if (first.results.length === 0 || first.results.some((r) => r.message.unreadable))
      throw new Error('the sealed search found nothing readable')
    return { messages, firstMs: round(firstMs), warmMs: round(warmMs, 2), rssGrowthMiB: round(rssGrowthMiB, 1), hits: first.results.length }
  } finally {
    await search?.close()
    await store.close()
    tmp.remove()
  }
}

/** Rows for `npm run bench` (part of the `search` scenario). */
export async function sealedSearchRows(ctx: { row: (r: [string, string]) => void }, sizes: number[]): Promise<void> {
  for (const n of sizes) {
    const c = await sealedSearchCost(n)
    ctx.row([
      `first search after log-in, ${n.toLocaleString('en')} sealed messages (their \`:memory:\` index built at it)`,
      `**${c.firstMs} ms** to the first ${c.hits} results (the next search: ${c.warmMs} ms), RSS +${c.rssGrowthMiB} MiB`,
    ])
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = process.argv.slice(2).map(Number)
  await sealedSearchRows({ row: ([a, b]) => console.log(`${a}: ${b}`) }, sizes.length > 0 ? sizes : [1000, 10_000])
}
