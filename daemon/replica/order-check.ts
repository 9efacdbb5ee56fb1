/**
 * What a follower checks of the relay's signed order (shared/chain.ts) before it touches its
 * log, and how it spots a fork.
 *
 * Every statement must be signed by the key the TLS link pinned for this relay (not merely
 * name it), for our network, this relay and the term of its welcome. A batch's statement must
 * equal the chain we compute over our own log plus the batch; a welcome's statement of `from`
 * must equal our own chain there: the prefix we keep is then proved by hash, not by one id.
 *
 * A fork is two statements of one relay key for one term whose histories differ: the same seq
 * with different chains, or a checked statement whose history (ours, since it matched) has a
 * different chain at the seq of one we kept. Only one key's own words are compared with each
 * other: two relays of one term (a partition) disagree honestly, and the merge handles that.
 */
import type { Logger } from 'pino'
import type { Entry, OrderStatement, Welcome } from '../../shared/index.js'
import type { PeerKey } from '../identity/index.js'
import { chainOver, type ForkProof, type Store } from '../store/index.js'
import { statementSignedBy } from './statements.js'

export type OrderVerdict = { ok: true } | { ok: false; code: 'order_invalid' | 'order_forked'; message: string; proof?: ForkProof }

const OK: OrderVerdict = { ok: true }
const invalid = (message: string): OrderVerdict => ({ ok: false, code: 'order_invalid', message })

export class OrderCheck {
  /** The relay's term as its newest statement said: a relay raises it after a partition heals, never lowers it. */
  #term = 0

  constructor(
    private readonly store: Store,
    /** The relay's key as its TLS certificate carries it; null (a plain test link) is refused. */
    private readonly key: PeerKey | null,
    private readonly network: string,
    private readonly log: Logger,
  ) {}

  /** The welcome's two statements, before anything is truncated. */
  async welcome(w: Welcome): Promise<OrderVerdict> {
    // Caught once, never followed again: its next history could be either of the two.
    if (this.key && (await this.store.order.forked(this.key.sha256)))
      return {
        ok: false,
        code: 'order_forked',
        message: `relay ${w.relayId} signed two different histories before (the proof is kept on this machine); it is not followed.`,
      }
    for (const [s, seq, what] of [
      [w.at, w.from, 'from'],
      [w.tip, w.head, 'head'],
    ] as const) {
      const bad = this.badSignature(s, w.relayId, w.term, true)
      if (bad) return invalid(`its welcome's statement of ${what}: ${bad}`)
      if (s.seq !== seq) return invalid(`its welcome's statement of ${what} is about ${s.seq}, not ${seq}.`)
    }
    const { log } = this.store
    const ours = await log.chainAt(w.from)
    if (ours === undefined) return invalid(`it keeps our log up to ${w.from}, past our head ${log.head}.`)
    const kept = await this.kept(w.term)
    if (kept && kept.seq === w.from && kept.chain !== w.at.chain) return this.fork(kept, w.at, 'the same entry number')
    if (w.at.chain !== ours)
      return invalid(
        `it keeps our log up to ${w.from}, but the history it signed up to there is not ours (another entry was changed or replaced).`,
      )
    if (kept) {
      const forked = await this.againstKept(kept, w.at, (seq) => log.chainAt(seq))
      if (forked) return forked
      // It signed our history up to kept.seq in this very term, and seq 1 is always among our
      // checkpoints: an honest relay of that term cannot find nothing in common with us.
      if (w.from === 0 && kept.seq >= 1 && log.head >= kept.seq && (await log.chainAt(kept.seq)) === kept.chain)
        return invalid(`it signed our log up to ${kept.seq} in term ${w.term}, and now says it shares none of it.`)
      if (kept.seq === w.tip.seq && kept.chain !== w.tip.chain) return this.fork(kept, w.tip, 'the same entry number')
    }
    // The tip cannot be checked against our log yet (we have not got it): kept only when
    // nothing of this key and term is, so that what it says later in this term must agree with
    // it. A checked statement is never replaced by an unchecked one.
    await this.keep(kept, kept ? w.at : w.tip)
    this.#term = w.term
    return OK
  }

  /** A batch of entries and its statement, before any is applied. */
  async batch(entries: Entry[], s: OrderStatement, relayId: string): Promise<OrderVerdict> {
    const bad = this.badSignature(s, relayId, this.#term, false)
    if (bad) return invalid(`the statement of its batch: ${bad}`)
    const first = entries[0]!.seq
    const last = entries[entries.length - 1]!.seq
    if (entries.some((e, i) => e.seq !== first + i)) return invalid('its batch skips or repeats entry numbers.')
    if (s.seq !== last) return invalid(`its batch ends at ${last} but its statement is about ${s.seq}.`)
    const { log } = this.store
    const start = await log.chainAt(first - 1)
    if (start === undefined) return invalid(`its batch starts at ${first}, past our head ${log.head} + 1.`)
    const values = chainOver(start, entries)
    log.offerChain(start, entries, values)
    const at = (seq: number) => (seq >= first ? values[seq - first] : log.chainAt(seq))
    // Entries we hold already are skipped when applying: they must be ours, byte for byte.
    const overlap = Math.min(log.head, last)
    if (overlap >= first && values[overlap - first] !== (await log.chainAt(overlap)))
      return invalid(`its batch has entries up to ${overlap} that differ from the ones we hold.`)
    const kept = await this.kept(s.term)
    if (kept && kept.seq === s.seq && kept.chain !== s.chain) return this.fork(kept, s, 'the same entry number')
    if (values[values.length - 1] !== s.chain)
      return invalid(
        `the chain it signed at ${s.seq} is not the chain of the entries it sent (an entry was changed on the way or by the relay).`,
      )
    if (kept) {
      const forked = await this.againstKept(kept, s, async (seq) => at(seq))
      if (forked) return forked
    }
    await this.keep(kept, s)
    this.#term = s.term
    return OK
  }

  /** Why a statement cannot be this relay's for `term` (`exact`), or for it or a later one; null if it can. */
  private badSignature(s: OrderStatement, relayId: string, term: number, exact: boolean): string | null {
    if (!this.key) return 'the link has no pinned key to check it with.'
    if (s.relayId !== relayId || s.relayId !== this.key.nodeId)
      return `it names relay ${s.relayId}, but the link's key is machine ${this.key.nodeId}.`
    if (s.network !== this.network) return `it is for network "${s.network}", not "${this.network}".`
    if (exact ? s.term !== term : s.term < term) return `it is for term ${s.term}, ${exact ? 'not' : 'before'} the relay's ${term}.`
    if (!statementSignedBy(s, this.key.publicKey)) return "it is not signed by the key this link's TLS certificate carries."
    return null
  }

  /**
   * `s` is checked (its history up to s.seq is `chainAt`'s): a kept statement of the same key
   * and term at or below s.seq must lie on that history.
   */
  private async againstKept(
    kept: OrderStatement,
    s: OrderStatement,
    chainAt: (seq: number) => Promise<string | undefined>,
  ): Promise<OrderVerdict | null> {
    if (kept.seq > s.seq) return null
    const there = await chainAt(kept.seq)
    if (there !== undefined && there !== kept.chain)
      return this.fork(kept, s, `a history that does not extend the one it signed up to ${kept.seq}`)
    return null
  }

  private async kept(term: number): Promise<OrderStatement | undefined> {
    return this.key ? this.store.order.newest(this.key.sha256, term) : undefined
  }

  private async keep(kept: OrderStatement | undefined, s: OrderStatement): Promise<void> {
    if (this.key && (!kept || s.seq >= kept.seq)) await this.store.order.remember(this.key.sha256, s)
  }

  private async fork(kept: OrderStatement, contradicting: OrderStatement, what: string): Promise<OrderVerdict> {
    const key = this.key!
    const why = `relay ${kept.relayId} signed two different histories for term ${kept.term}: ${what} (entry ${kept.seq}: ${kept.chain.slice(0, 16)}…, entry ${contradicting.seq}: ${contradicting.chain.slice(0, 16)}…)`
    const proof: ForkProof = {
      relayKey: key.sha256,
      relayId: kept.relayId,
      fingerprint: key.fingerprint,
      term: kept.term,
      kept,
      contradicting,
      why,
      detectedAt: Date.now(),
    }
    await this.store.order.recordFork(proof)
    this.log.error({ code: 'order_forked', relay: kept.relayId, fingerprint: key.fingerprint, kept, contradicting }, why)
    return { ok: false, code: 'order_forked', message: `${why}. It may be compromised; it is not followed.`, proof }
  }
}
