/** Each scenario of `npm run bench`: runs it (quick or full) and turns its result into rows. */
import { accountCosts } from './accounts.js'
import { orderCosts } from './order.js'
import type { Build } from './build.js'
import { catchup } from './catchup.js'
import { failover } from './failover.js'
import { median } from './lan.js'
import { fanout, type FanoutRun } from './fanout.js'
import { files } from './files.js'
import { history, type GcSeen as HistoryGc, type Timing as HistoryTiming } from './history.js'
import { idle } from './idle.js'
import { EARLY_MS, IDLE_SETTLE_MS } from './proc.js'
import { images } from './images.js'
import { link, type Timing } from './link.js'
import { check, ratio } from './report.js'
import { scale } from './scale.js'
import { levelFloor } from './level-floor.js'
import { searchScenario } from './search.js'
import { searchLiveCost } from './search-live.js'
import { sealedPage } from './sealed-page.js'
import { sealingCosts } from './sealing.js'

export type Row = [string, string]
export interface Ctx {
  quick: boolean
  /** The build under test (this tree's unless `--compare-build`). */
  build: Build
  /** Run the baselines too (ws, Mosquitto): not again for the second build of a comparison. */
  baselines: boolean
  row: (r: Row) => void
  note: (n: string) => void
}

function fanoutRows(ctx: Ctx, runs: FanoutRun[]): void {
  for (const clients of new Set(runs.map((r) => r.clients))) {
    const at = runs.filter((r) => r.clients === clients)
    const so = at.find((r) => r.system === 'SO-CHAT relay')
    for (const r of at) {
      const rel = so && r !== so ? ` (SO-CHAT/this: **${ratio(so.deliveredPerS, r.deliveredPerS)}**)` : ''
      ctx.row([
        `${r.system}, ${clients} clients, saturation (${r.messages} msgs, median of ${r.rounds} after an untimed round)`,
        `**${r.deliveredPerS} delivered msg/s**${rel}; rounds ${r.spread[0]}–${r.spread[1]}`,
      ])
    }
    for (const r of at.filter((x) => x.latency)) {
      const l = r.latency!
      const rel = so?.latency && r !== so ? ` (SO-CHAT/this p50 ${ratio(so.latency.p50, l.p50)}, p99 ${ratio(so.latency.p99, l.p99)})` : ''
      ctx.row([
        `${r.system}, ${clients} clients, ${l.rate} msg/s for ${l.messages / l.rate} s`,
        `latency p50 **${l.p50} ms**, p99 **${l.p99} ms**, max ${l.max} ms${rel}`,
      ])
    }
  }
}

export const SCENARIOS: Record<string, (ctx: Ctx) => Promise<void>> = {
  async accounts(ctx) {
    const a = await accountCosts({ unwraps: ctx.quick ? 5 : 15, entries: ctx.quick ? 20_000 : 100_000 })
    ctx.row([
      `log-in: opening an account's wrapped keys (scrypt N = 2^17, r = 8, then AES-256-GCM), median of ${a.unwraps}; an offline guess costs the same`,
      `**${a.unwrapMs} ms**`,
    ])
    ctx.row([`signing an entry (Ed25519 over its RFC 8785 form), ${a.entries}`, `**${a.signUs} µs** each`])
    ctx.row([`checking an entry's signature, ${a.entries}`, `**${a.verifyUs} µs** each`])
    ctx.row([
      `a replica checking ${a.entries + 1} entries before applying them (frames of 2,000, every core)`,
      `**${a.batchPerS} entries/s**`,
    ])
  },
  async order(ctx) {
    const o = orderCosts({ entries: ctx.quick ? 20_000 : 100_000, statements: ctx.quick ? 5_000 : 20_000 })
    ctx.row([`one step of the log's hash chain (RFC 8785 form, SHA-256 twice), ${o.entries} entries`, `**${o.chainUs} µs** each`])
    ctx.row([`signing an order statement (Ed25519; the relay, once per frame), ${o.statements}`, `**${o.signUs} µs** each`])
    ctx.row([`checking an order statement (a follower, once per frame), ${o.statements}`, `**${o.verifyUs} µs** each`])
  },
  async sealing(ctx) {
    const s = await sealingCosts({ members: 50, messages: ctx.quick ? 5_000 : 20_000, epochs: ctx.quick ? 10 : 20 })
    ctx.row([
      `an epoch change in a ${s.members}-member room: a new key, ${s.members} sealed boxes (crypto_box_seal to each member's X25519 key), the BLAKE2b commitment; median of ${ctx.quick ? 10 : 20}`,
      `**${s.epochChangeMs} ms**`,
    ])
    ctx.row(['a key-wrap per member: one sealed box of the room key (median)', `**${s.wrapUs} µs**`])
    ctx.row(["opening one's copy of a room key (crypto_box_seal_open, commitment check)", `**${s.openKeyUs} µs**`])
    ctx.row([
      `encrypting / decrypting one chat line (XChaCha20-Poly1305-IETF), ${s.messages}`,
      `**${s.encryptUs} µs** / **${s.decryptUs} µs** each`,
    ])
    const p = await sealedPage({ messages: ctx.quick ? 200 : 1_000, requests: ctx.quick ? 100 : 300 })
    ctx.row([
      `a page of 50 from a private room (daemon in-process: read, open the room key, decrypt 50), ${p.requests} requests after the first`,
      `first **${p.sealed.firstMs} ms**, p50 **${p.sealed.p50Ms} ms**, p99 **${p.sealed.p99Ms} ms** per 50`,
    ])
    ctx.row([
      `the same page from #general (same daemon, same texts, not encrypted)`,
      `first **${p.plain.firstMs} ms**, p50 **${p.plain.p50Ms} ms**, p99 **${p.plain.p99Ms} ms** (sealed/plain p50 ${ratio(p.sealed.p50Ms, p.plain.p50Ms)})`,
    ])
    ctx.row([
      `posting through the REST API, one after another, ${p.messages} each (signed; sealed in the private room)`,
      `private **${p.postMs.sealed} ms**, #general **${p.postMs.plain} ms** a post`,
    ])
  },
  async history(ctx) {
    const h = await history({ messages: ctx.quick ? 100_000 : 1_000_000, requests: 200, build: ctx.build })
    const fig = (t: HistoryTiming) => `p50 **${t.p50Ms} ms**, p99 **${t.p99Ms} ms**`
    const gc = (g: HistoryGc) =>
      ` — ${g.scavenges} scavenges${g.scavenges ? `, longest ${g.longestScavengeMs} ms` : ''}, ${g.others} other GCs${g.others ? `, longest ${g.longestOtherMs} ms` : ''}`
    ctx.row([`store of ${h.messages} messages, built with Store; daemon start on it`, `built in ${h.buildS} s; start **${h.startMs} ms**`])
    ctx.row(['open the room: log-in done, first GET of the last 50', `**${h.firstPageMs} ms**`])
    ctx.row([
      `GET last 50, ${h.requests} requests one after another, while the search index is first built`,
      fig(h.indexing) + gc(h.indexing.gc),
    ])
    if (h.indexed)
      ctx.row([
        `GET last 50, ${h.requests} more once the search index is built and the daemon idle (under 10 % of a core for 2 s)`,
        `${fig(h.indexed)} (index built ${h.indexed.waitS} s later, idle ${h.indexed.idleS} s after that)${gc(h.indexed.gc)}`,
      ])
    if (h.indexedApart)
      ctx.row([
        `the same ${h.requests}, read from a process of its own (as a page in a browser; the reader's fetch and parsing are not the daemon's garbage)`,
        `${fig(h.indexedApart)}; the daemon's CPU **${h.indexedApart.cpuMsPerPage} ms** a page${gc(h.indexedApart.gc)}`,
      ])
    else ctx.note('the search index was not built, or the daemon not idle, within 30 minutes: no figure with the index built')
    ctx.row([`floor: one LevelDB range read of the 50 newest values (reverse, limit 50), same store, ${h.requests} reads`, fig(h.floor)])
  },
  async link(ctx) {
    const l = await link({ links: ctx.quick ? 200 : 1000, build: ctx.build })
    const fig = (t: Timing) => `p50 **${t.p50} ms**, p99 **${t.p99} ms**, mean **${t.mean} ms**`
    ctx.row([
      `link set-up to a relay daemon, ${l.links} one after another (TCP [+ TLS 1.3 + proof] + WebSocket upgrade + hello → welcome)`,
      fig(l.relay),
    ])
    ctx.row([`floor: plain ws hello → welcome-sized answer from a bare ws server, ${l.links} one after another`, fig(l.floor)])
    if (l.handshake) ctx.row([`TLS 1.3 handshake alone (TCP + TLS, Ed25519 certificates both ways), ${l.links}`, fig(l.handshake)])
    ctx.row([`advert probe: GET /peer/v1/advert on a connection of its own, ${l.links}`, fig(l.advert)])
    if (l.advertKept) ctx.row([`advert probe as the daemon makes it (kept-alive connection), ${l.links}`, fig(l.advertKept)])
  },
  async fanout(ctx) {
    const { runs, notes } = await fanout(
      {
        clients: ctx.quick ? [100] : [100, 1000],
        messages: (n) => (n >= 1000 ? 300 : ctx.quick ? 1000 : 3000),
        window: 200,
        rounds: ctx.quick ? 1 : 3,
        rate: 200,
        rateSeconds: ctx.quick ? 3 : 10,
        latencyClients: 100,
        build: ctx.build,
        baselines: ctx.baselines,
      },
      (l) => console.log(l),
    )
    fanoutRows(ctx, runs)
    for (const n of notes) ctx.note(n)
  },
  async scale(ctx) {
    for (const links of ctx.quick ? [1000] : [1000, 10_000]) {
      const procs = links >= 10_000 ? 10 : 2
      const s = await scale({ links, procs, timeoutMs: links >= 10_000 ? 300_000 : 60_000, idleSeconds: 5, build: ctx.build })
      ctx.row([
        `${s.links} client links connecting at once (hello → live)`,
        `**${s.live} live** in **${s.acceptMs} ms**` +
          // The load generator gives up on a link after 10 s without a TLS handshake, as a daemon does.
          (s.failed ? `; **${s.failed} never live** (first: ${s.firstError})` : ''),
      ])
      ctx.row([
        `CPU while ${s.links} links connect: the relay / the ${procs} load generators (the other end of every handshake)`,
        `**${s.relayConnectCpuS} s** / ${s.generatorsConnectCpuS} s`,
      ])
      ctx.row([`relay RSS, ${s.links} links`, `${s.rssBeforeMiB} → ${s.rssAfterMiB} MiB: **${s.perLinkKiB} KiB per live link**`])
      ctx.row([`relay CPU with ${s.live} idle links (heartbeats; rosters only on change)`, `**${s.idleCpuPercent} %** of one core`])
    }
  },
  async idle(ctx) {
    const report = await idle({ seconds: ctx.quick ? 5 : 10, build: ctx.build })
    for (const r of [...report.daemons, ...report.tray, report.bareNode])
      ctx.row([
        `${r === report.bareNode ? 'floor: ' : 'idle '}${r.role}: RSS after ${IDLE_SETTLE_MS / 1000} s alone (of it its own memory: heap, stacks; the rest mapped files, the node binary first), CPU over the next ${r.seconds} s`,
        `RSS **${r.rssMiB} MiB**, own ${r.ownMiB} MiB (${r.earlyRssMiB} MiB ${EARLY_MS / 1000} s after start-up), CPU **${r.cpuPercent} %**`,
      ])
    if (report.note) ctx.note(report.note)
  },
  async files(ctx) {
    const f = await files({ mib: ctx.quick ? 64 : 1024, build: ctx.build })
    ctx.row([`a ${f.mib} MiB file: upload to the local daemon (page → h2, stored, hashed)`, `**${f.uploadMiBs} MiB/s**`])
    ctx.row([
      `posting it: h2 pushes it to the relay, which verifies and stores it, then orders the message (until it is on h3)`,
      `**${f.postMiBs} MiB/s**`,
    ])
    ctx.row([
      `opening it on h3: fetched from the relay, verified, stored and served`,
      `**${f.openMiBs} MiB/s**, first byte after ${f.openFirstByteMs} ms (a bare GET of the same bytes from the relay's peer port${ctx.build.tls ? ', TLS and proof' : ''}: **${f.plainMiBs} MiB/s**, SO-CHAT/bare ${ratio(f.openMiBs, f.plainMiBs)})`,
    ])
    const c = f.cpuPerGiB
    ctx.row([
      `CPU per GiB: opening it (relay + opener) / the bare GET (relay + puller, its node and tsx start-up included)`,
      `**${c.openRelay} + ${c.openOpener} s** / **${c.plainRelay} + ${c.plainPuller} s**`,
    ])
    // By role, not host name: which host is elected relay differs from run to run (and build to build).
    for (const m of f.memory)
      ctx.row([`daemon memory while it passed: the ${m.role}`, `**${m.peakMiB} MiB** at peak (${m.rssBeforeMiB} MiB before; ${m.host})`])
  },
  async images(ctx) {
    const i = await images({ runs: ctx.quick ? 5 : 9, build: ctx.build })
    const pillow = (ms: number) => (i.pillowMs !== null ? ` (sharp/Pillow time: ${ratio(ms, i.pillowMs)})` : '')
    ctx.row([
      `the daemon's thumbnail, ${i.megapixels} MP JPEG (${i.fileMiB} MiB) → 320 px, median of ${i.runs}`,
      `**${i.daemonMs} ms** (one libvips thread; ${i.daemonNote})${pillow(i.daemonMs)}`,
    ])
    ctx.row([`plain sharp, same file (\`resize(320).jpeg(80)\`)`, `**${i.sharpMs} ms**${pillow(i.sharpMs)}`])
    ctx.row([`floor: libjpeg-turbo decoding it at 1/8 scale, reduced to 320 px, not encoded`, `**${i.floorMs} ms**${pillow(i.floorMs)}`])
    if (i.pillowMs !== null) {
      ctx.row([`Pillow, same file, same output (\`thumbnail\`, JPEG draft mode)`, `**${i.pillowMs} ms**`])
      ctx.row([`Pillow's decode alone (\`draft\` as thumbnail asks, 1/4 scale, + \`load\`)`, `**${i.pillowDecodeMs} ms**`])
    } else ctx.note(i.pillowNote!)
  },
  async failover(ctx) {
    const f = await failover({ hosts: 4, kills: ctx.quick ? 3 : 7, messagesPerRound: 20, build: ctx.build })
    check('failover', f.audit)
    ctx.row([
      `join: ${f.hosts} daemons started at the same moment (real mDNS, namespaces)`,
      `**${f.startTogetherMs} ms** until all follow one relay (the last daemon up, i.e. answering its status, after ${f.lastUpMs} ms)`,
    ])
    ctx.row([
      `late join: a daemon started into a settled network, ${f.lateJoinMs.length} times`,
      `median **${median(f.lateJoinMs)} ms**, worst **${Math.max(...f.lateJoinMs)} ms** from its start to following the relay (${f.lateJoinMs.join(', ')} ms)`,
    ])
    ctx.row([
      `failover (${f.hosts} hosts in namespaces, ${f.kills} relay SIGKILLs)`,
      `median **${f.medianMs} ms**, worst **${f.worstMs} ms** to every other daemon following the new relay (${f.timesMs.join(', ')} ms)`,
    ])
    ctx.row([
      'messages lost across those failovers',
      `**${f.audit.lost}** of ${f.audit.acknowledged} acknowledged (duplicated: ${f.audit.duplicated})`,
    ])
  },
  search: (ctx) => searchScenario(ctx),
  async 'search-live'(ctx) {
    const rounds = 3
    const costs = await searchLiveCost({ entries: ctx.quick ? 20_000 : 100_000, rounds })
    const off = costs.find((c) => c.mode === 'off')!
    const what = { off: 'no search index', live: 'indexed as applied (live)', backlog: 'a backlog: indexed after it (follow.ts)' }
    for (const c of costs) {
      const cost = c === off ? '' : ` (${ratio(c.applyPerS, off.applyPerS)} the rate without an index)`
      const indexed = c.indexedPerS === null ? '' : `; every entry in the index too: ${c.indexedPerS} entries/s`
      ctx.row([
        `applying ${c.entries} messages through the replica in batches of 500, ${what[c.mode]}; median of ${rounds}, interleaved`,
        `**${c.applyPerS} entries/s**${cost}${indexed}`,
      ])
    }
  },
  async catchup(ctx) {
    const c = await catchup({ messages: ctx.quick ? 5_000 : 100_000, concurrency: 32, build: ctx.build })
    check('catch-up', c.audit)
    ctx.row([
      `catch-up of a replica offline for ${c.entries} messages`,
      `**${c.entriesPerS} entries/s** (${c.catchupMs} ms from its start to an equal log head); lost: ${c.audit.lost}`,
    ])
    ctx.row(['posting through the REST API to a local relay, 32 concurrent clients', `${c.postRatePerS} messages/s acknowledged`])
    const floor = await levelFloor(c.entries)
    ctx.row([
      `floor: LevelDB alone taking ${floor.entries} entry-sized values in synced batches of 2,000 (a frame), on this disk`,
      `**${floor.perS} entries/s**`,
    ])
  },
  'sealed-files': async (ctx) => (await import('./sealed-files.js')).scenario(ctx),
  'search-sealed': async (ctx) => (await import('./search-sealed.js')).sealedSearchRows(ctx, [1000, 10_000]),
}
