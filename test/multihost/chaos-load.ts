/**
 * Load and audit for the chaos test (chaos.test.ts): one sender loop per host that posts
 * `u<i>#<n>` with n = 1, 2, 3… through that host's REST API, concurrent bursts
 * (`u<i>#B<b>.<k>`), and the final audit of every replica's log read back through the API.
 *
 * What a POST told the sender decides what the audit demands of the message:
 *   201 acked    → present exactly once (the relay wrote it);
 *   202 pending  → present exactly once (it waits in a durable outbox and must arrive);
 *   anything else (network error, 5xx, the host died under it) → "failed to submit": it may
 *                  or may not have reached the outbox, so at most once.
 */
import type { Message, MessagesResponse, PostMessageResponse } from '../../shared/index.js'
import { sleep, type Host } from './harness.js'
import { bearer } from './lan-helpers.js'

export type Outcome = 'acked' | 'pending' | 'failed'

export interface SentRecord {
  text: string
  /** 1-based host index i of `u<i>#…`. */
  sender: number
  /** Loop messages: n of `u<i>#<n>`; order is checked on these. Burst messages: undefined. */
  n: number | undefined
  outcome: Outcome
  /** HTTP status, or 0 for a network error. */
  status: number
  /** The message id the daemon answered with (201/202). */
  id: string | undefined
  /** The seq a 201 answered with. */
  seq: number | undefined
  error: string | undefined
  at: number
  ms: number
}

export const loopText = (sender: number, n: number): string => `u${sender}#${n}`
export const burstText = (sender: number, burst: number, k: number): string => `u${sender}#B${burst}.${k}`
const LOOP_RE = /^u(\d+)#(\d+)$/
const ANY_RE = /^u(\d+)#/

/** One POST of `text` on `host`, classified. Never throws. */
export async function postOnce(host: Host, token: string, sender: number, text: string, n: number | undefined): Promise<SentRecord> {
  const at = Date.now()
  const rec: SentRecord = { text, sender, n, outcome: 'failed', status: 0, id: undefined, seq: undefined, error: undefined, at, ms: 0 }
  try {
    const res = await host.api<PostMessageResponse & { error?: { code?: string } }>(
      'POST',
      '/api/v1/rooms/general/messages',
      { text },
      bearer(token),
    )
    rec.status = res.status
    if (res.status === 201 && res.body?.state === 'sent') {
      rec.outcome = 'acked'
      rec.id = res.body.message.id
      rec.seq = res.body.message.seq
    } else if (res.status === 202 && res.body?.state === 'pending') {
      rec.outcome = 'pending'
      rec.id = res.body.message.id
    } else {
      rec.error = `${res.status} ${JSON.stringify(res.body).slice(0, 200)}`
    }
  } catch (err) {
    rec.error = (err as Error).message
  }
  rec.ms = Date.now() - at
  return rec
}

/**
 * The continuous sender of one host: posts `u<i>#<n>` every 100–200 ms (after the previous
 * POST answered), one async loop per host so a slow 202 never holds up the others. It idles
 * while the host's daemon is not running or while `paused` is set (the test sets it around a
 * restart); a POST that was in flight when the daemon died counts as failed.
 */
export class Sender {
  readonly records: SentRecord[] = []
  paused = false
  #n = 0
  #stopped = false
  #done: Promise<void> | undefined
  /** Counted, not sent: ticks skipped because the host was down or paused. */
  skipped = 0

  constructor(
    readonly host: Host,
    readonly index: number,
    private readonly token: string,
    private readonly deadline: number,
  ) {}

  start(): void {
    this.#done ??= this.loop()
  }

  /** Stops after the POST in flight (bounded by the API timeout). */
  async stop(): Promise<void> {
    this.#stopped = true
    await this.#done
  }

  private async loop(): Promise<void> {
    while (!this.#stopped && Date.now() < this.deadline) {
      if (this.paused || !this.host.running) {
        this.skipped++
        await sleep(100)
        continue
      }
      const n = ++this.#n
      this.records.push(await postOnce(this.host, this.token, this.index, loopText(this.index, n), n))
      await sleep(100 + Math.floor(Math.random() * 100))
    }
  }
}

export interface BurstResult {
  records: SentRecord[]
  ms: number
}

/**
 * `count` POSTs `u<i>#B<burst>.<k>` from one host with `concurrency` in flight, bounded by
 * `maxMs` (what is not started by then is not sent); it also stops starting new ones once the
 * host's daemon is not running or `stop()` says so (those in flight count as failed).
 * `onProgress` sees each answer.
 */
export async function burst(
  host: Host,
  token: string,
  sender: number,
  burstNo: number,
  count: number,
  concurrency: number,
  maxMs: number,
  onProgress?: (rec: SentRecord, done: number) => void,
  stop: () => boolean = () => false,
): Promise<BurstResult> {
  const t0 = Date.now()
  const records: SentRecord[] = []
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < count && Date.now() - t0 < maxMs && host.running && !stop()) {
      const k = ++next
      const rec = await postOnce(host, token, sender, burstText(sender, burstNo, k), undefined)
      records.push(rec)
      onProgress?.(rec, records.length)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return { records, ms: Date.now() - t0 }
}

/** The whole room on `host`, oldest first, read back in pages of 500 (`before=<oldest seq>`). */
export async function readAll(host: Host, token: string): Promise<Message[]> {
  const pages: Message[][] = []
  let before: number | undefined
  for (let i = 0; i < 10_000; i++) {
    const q = before === undefined ? 'limit=500' : `limit=500&before=${before}`
    const res = await host.api<MessagesResponse>('GET', `/api/v1/rooms/general/messages?${q}`, undefined, bearer(token))
    if (res.status !== 200 || !Array.isArray(res.body?.messages)) {
      throw new Error(`${host.name}: messages?${q} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 200)}`)
    }
    const page = res.body.messages
    if (page.length === 0) break
    pages.unshift(page)
    const oldest = page[0]!.seq
    if (before !== undefined && oldest >= before)
      throw new Error(`${host.name}: paging did not move back (before=${before}, oldest ${oldest})`)
    before = oldest
    if (oldest <= 1) break
  }
  return pages.flat()
}

export interface Tally {
  sent: number
  acked: number
  pending: number
  failed: number
}

export function tally(records: SentRecord[]): Tally {
  return {
    sent: records.length,
    acked: records.filter((r) => r.outcome === 'acked').length,
    pending: records.filter((r) => r.outcome === 'pending').length,
    failed: records.filter((r) => r.outcome === 'failed').length,
  }
}

/** What one replica's log says about what was sent; every list is a finding (empty = fine). */
export interface ReplicaAudit {
  host: string
  count: number
  head: number
  /** acked/pending messages absent from the log. */
  missing: SentRecord[]
  /** Texts present more than once, with their seqs. */
  duplicates: { text: string; seqs: number[] }[]
  /** acked/pending/failed messages present under another id than the POST answered. */
  idChanged: { text: string; answered: string; found: string; seq: number }[]
  /** Per-sender order broken: loop message n found after n' > n. */
  reordered: { sender: number; after: string; afterSeq: number; text: string; seq: number }[]
  /** Texts in the log that nobody sent. */
  unknown: Message[]
  /** Messages whose author is not user<i> of `u<i>#…`. */
  wrongAuthor: Message[]
  /** Failed-to-submit messages that are in the log anyway (allowed, at most once). */
  failedFound: number
  /** 201-acked messages now at another seq than the 201 said (re-sequenced by a merge). */
  reseq: number
}

export function auditReplica(hostName: string, log: Message[], records: SentRecord[], head: number): ReplicaAudit {
  const byText = new Map<string, Message[]>()
  for (const m of log) {
    const list = byText.get(m.text)
    if (list) list.push(m)
    else byText.set(m.text, [m])
  }
  const sentByText = new Map(records.map((r) => [r.text, r]))
  const audit: ReplicaAudit = {
    host: hostName,
    count: log.length,
    head,
    missing: [],
    duplicates: [],
    idChanged: [],
    reordered: [],
    unknown: [],
    wrongAuthor: [],
    failedFound: 0,
    reseq: 0,
  }
  for (const [text, list] of byText) if (list.length > 1) audit.duplicates.push({ text, seqs: list.map((m) => m.seq) })
  for (const r of records) {
    const found = byText.get(r.text)
    if (!found || found.length === 0) {
      if (r.outcome !== 'failed') audit.missing.push(r)
      continue
    }
    if (r.outcome === 'failed') audit.failedFound++
    const m = found[0]!
    if (r.id !== undefined && m.id !== r.id) audit.idChanged.push({ text: r.text, answered: r.id, found: m.id, seq: m.seq })
    if (r.outcome === 'acked' && r.seq !== undefined && m.seq !== r.seq) audit.reseq++
  }
  const last = new Map<number, { n: number; text: string; seq: number }>()
  for (const m of log) {
    const any = ANY_RE.exec(m.text)
    if (!sentByText.has(m.text)) audit.unknown.push(m)
    if (any && m.author !== `user${any[1]}`) audit.wrongAuthor.push(m)
    const loop = LOOP_RE.exec(m.text)
    if (!loop) continue
    const sender = Number(loop[1])
    const n = Number(loop[2])
    const prev = last.get(sender)
    if (prev && n <= prev.n) audit.reordered.push({ sender, after: prev.text, afterSeq: prev.seq, text: m.text, seq: m.seq })
    if (!prev || n > prev.n) last.set(sender, { n, text: m.text, seq: m.seq })
  }
  return audit
}

/** Where replicas disagree on (seq, id): the first differing position against the reference. */
export function compareLogs(reference: Message[], other: Message[]): string | undefined {
  const len = Math.max(reference.length, other.length)
  for (let i = 0; i < len; i++) {
    const a = reference[i]
    const b = other[i]
    if (a?.seq !== b?.seq || a?.id !== b?.id) {
      const show = (m: Message | undefined): string => (m ? `(${m.seq}, ${m.id}, ${m.text})` : '(none)')
      return `position ${i} of ${reference.length}/${other.length}: ${show(a)} vs ${show(b)}`
    }
  }
  return undefined
}

export function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid] : Math.round((s[mid - 1]! + s[mid]!) / 2)
}
