/**
 * The client side of a link to the relay. Speaks first with `hello` (our head and
 * checkpoints), applies what the relay says: `welcome.from` (truncate anything after it:
 * those entries move to the outbox and are resubmitted), then `entries`, each batch only once
 * every entry in it is signed by the account it speaks for (accounts/signatures.ts): a relay
 * can order entries, not make them.
 *
 * A welcome is a claim about our own log, checked before anything is removed (`judgeWelcome`):
 * `from` must be 0 or one of the checkpoints we sent, and never past the relay's own head;
 * otherwise the link is closed with `claim_absurd` and nothing is removed. Then the relay's
 * signed order (order-check.ts): its statement of chain(from) must equal ours, and each
 * batch's statement the chain over our log plus the batch, or the relay is refused with
 * `order_invalid` (`order_forked` when its key signed two histories for one term).
 */
import { EventEmitter } from 'node:events'
import type { Logger } from 'pino'
import {
  PROTOCOL_VERSION,
  type Checkpoint,
  type ErrorCode,
  type Frame,
  type Roster,
  type Typing,
  type Welcome,
} from '../../shared/index.js'
import { checkBatch, type LogDirectory, VerifyAhead } from '../accounts/index.js'
import { isNoSpace } from '../errors/index.js'
import type { PeerConnection } from '../link/index.js'
import { OrderCheck } from './order-check.js'
import type { Replica } from './replica.js'

export interface FollowerIdentity {
  network: string
  nodeId: string
  name: string
  startedAt: number
  peerPort: number
}

export interface FollowerEvents {
  /** Caught up far enough to submit: the outbox may send now. */
  ready: [Welcome]
  roster: [Roster]
  typing: [Typing]
  reject: [id: string, code: string, message: string]
  closed: [reason: string]
  /** The relay is leaving cleanly and names its successor. */
  handover: [successor: string, term: number]
  /**
   * We refused the relay (`claim_absurd` for its welcome, `bad_signature` for an entry,
   * `order_invalid` or `order_forked` for its signed order) and closed the link; `closed`
   * follows. Whoever picks relays may pass this one over for a while.
   */
  refused: [code: ErrorCode, relayId: string]
}

/** What our hello said: the welcome is judged against it. */
export interface SentHello {
  head: number
  checkpoints: Checkpoint[]
}

export type WelcomeVerdict = { ok: true } | { ok: false; code: ErrorCode; message: string }

/**
 * Whether a welcome is one an honest relay could send in answer to `sent`: its handshake
 * (daemon/relay/handshake.ts) answers the newest of our checkpoints it has with the same id,
 * or 0 when it has none of them. Partition heal still works: two sides of a split share at
 * least the first entry, so the loser's clients get a `from` of at least 1.
 */
export function judgeWelcome(welcome: Welcome, sent: SentHello): WelcomeVerdict {
  const { from } = welcome
  if (from > welcome.head) {
    return { ok: false, code: 'claim_absurd', message: `The relay keeps our log up to ${from} but its own ends at ${welcome.head}.` }
  }
  if (from !== 0 && !sent.checkpoints.some((cp) => cp.seq === from)) {
    return { ok: false, code: 'claim_absurd', message: `The relay answered ${from}, which is none of the checkpoints we sent.` }
  }
  // `from` 0 while we have entries (no shared history) is followed: the relay proved the
  // network key on this link (link/dial.ts), and our entries are not dropped but moved to
  // the outbox and submitted again (a machine let in after people used it alone, two first-day
  // installs). Refusing would leave such a machine outside its own network for good.
  return { ok: true }
}

/**
 * Our first entry among the checkpoints, whatever the store picked: it is what makes `from` 0
 * mean "no shared history" rather than "shared history further back than we said".
 */
export function withFirstEntry(checkpoints: Checkpoint[], first: Checkpoint | undefined): Checkpoint[] {
  if (!first || checkpoints.some((cp) => cp.seq === first.seq)) return checkpoints
  return [...checkpoints, first]
}

/** The longest a follower whose disk is full keeps an idle link before linking again to retry. */
const DISK_FULL_RESYNC_MS = 30_000

export class Follower extends EventEmitter<FollowerEvents> {
  #welcome: Welcome | null = null
  #sent: SentHello | null = null
  /** Set once we refused the relay: nothing it sends after that is applied. */
  #refused = false
  /** Set once applying failed (a full disk, say): the link is closing, nothing more is applied. */
  #dropped = false
  // Frames are handled one at a time, in arrival order, even though applying is async.
  #queue: Promise<void> = Promise.resolve()
  readonly #order: OrderCheck
  /** What the rule book reads of our log (accounts/signatures.ts). */
  readonly #directory: LogDirectory
  /** A frame's signatures go to the worker threads as it arrives, checked while earlier frames are applied. */
  readonly #ahead: VerifyAhead

  constructor(
    readonly conn: PeerConnection,
    private readonly replica: Replica,
    private readonly me: FollowerIdentity,
    private readonly log: Logger,
  ) {
    super()
    this.#order = new OrderCheck(replica.store, conn.peer, me.network, log)
    const { store } = replica
    this.#directory = {
      account: (username) => store.views.account(username),
      seqOf: (id) => store.log.seqOf(id),
      seqsOf: (ids) => store.log.seqsOf(ids),
    }
    this.#ahead = new VerifyAhead(this.#directory, (err) => this.signatureWorkerFailed(err))
    conn.on('frame', (frame) => {
      if (frame.type === 'entries' && !this.#refused && !this.#dropped) this.#ahead.send(frame.entries)
      this.#queue = this.#queue.then(() => this.onFrame(frame)).catch((err) => this.failed(err))
    })
    // After the frames that came before it: a relay that hands over sends `handover`, then
    // closes; a close seen while entries were still being applied must not overtake it.
    conn.on('close', (code, reason) => {
      this.#queue = this.#queue
        .then(() => {
          this.replica.expectBacklog(0)
          this.emit('closed', `${code} ${reason}`.trim())
        })
        .catch((err: unknown) => this.log.error({ err }, 'handling the end of the link failed'))
    })
  }

  get welcome(): Welcome | null {
    return this.#welcome
  }

  async start(): Promise<void> {
    const { log } = this.replica.store
    const head = this.replica.head
    const first = head > 0 ? await log.get(1) : undefined
    const checkpoints = withFirstEntry(await log.checkpoints(), first && { seq: 1, id: first.id })
    this.#sent = { head, checkpoints }
    this.conn.send({ type: 'hello', proto: PROTOCOL_VERSION, ...this.me, head, checkpoints })
  }

  private async onFrame(frame: Frame): Promise<void> {
    // After a failed apply the link is going: frames already queued behind it (the next batch,
    // which now starts past our head) must not be judged, or a full disk reads as a lying relay.
    if (this.#refused || this.#dropped) return
    switch (frame.type) {
      case 'welcome':
        return this.onWelcome(frame)
      case 'entries': {
        if (!this.#welcome) return this.conn.fail('frame_invalid', 'entries before welcome')
        // Every entry is its author's, or none of the batch is applied (accounts/signatures.ts).
        const signed = await checkBatch(
          frame.entries,
          this.#directory,
          this.replica.head,
          (err) => this.signatureWorkerFailed(err),
          this.#ahead,
        )
        if (!signed.ok) {
          const { entry, code, message } = signed
          return this.refuse(this.#welcome, code, `entry ${entry.seq} (${entry.body.type}, id ${entry.id}): ${message}`)
        }
        // Where the relay put them, as it signed (order-check.ts): nothing applied otherwise.
        const ordered = await this.#order.batch(frame.entries, frame.order, this.#welcome.relayId)
        if (!ordered.ok) return this.refuse(this.#welcome, ordered.code, ordered.message)
        await this.replica.append(frame.entries)
        return
      }
      // Nothing waits for an ack: the outbox waits for the entry itself to reach our replica.
      case 'ack':
        return
      case 'reject':
        this.emit('reject', frame.id, frame.code, frame.message)
        return
      case 'roster':
        if (frame.heartbeatMs) this.conn.setHeartbeat(frame.heartbeatMs)
        this.emit('roster', frame)
        return
      case 'typing':
        this.emit('typing', frame)
        return
      case 'handover':
        this.emit('handover', frame.successor, frame.term)
        return
      case 'error':
        this.log.warn({ code: frame.code, message: frame.message }, 'relay refused the link')
        return
      default:
        return this.conn.fail('frame_invalid', `a relay does not send ${frame.type} frames`)
    }
  }

  private async onWelcome(welcome: Welcome): Promise<void> {
    if (this.#welcome) return this.conn.fail('frame_invalid', 'a second welcome')
    if (!this.#sent) return this.conn.fail('frame_invalid', 'welcome before hello')
    const verdict = judgeWelcome(welcome, this.#sent)
    if (!verdict.ok) return this.refuse(welcome, verdict.code, verdict.message)
    // Our chain at `from` must be the one the relay signed, before anything is truncated.
    const ordered = await this.#order.welcome(welcome)
    if (!ordered.ok) return this.refuse(welcome, ordered.code, ordered.message)
    if (welcome.from < this.replica.head) {
      const moved = await this.replica.truncateAfter(welcome.from)
      this.log.warn({ from: welcome.from, moved: moved.length }, 'our log went further than the relay; resubmitting those entries')
    }
    this.#welcome = welcome
    if (welcome.heartbeatMs) this.conn.setHeartbeat(welcome.heartbeatMs)
    this.replica.expectBacklog(welcome.head)
    this.emit('ready', welcome)
  }

  private signatureWorkerFailed(err: Error): void {
    this.log.warn({ err }, "a signature check could not run on a worker; it was checked on the daemon's thread")
  }

  /** Nothing of ours is touched: the link goes, and who picks relays hears why. */
  private refuse(welcome: Welcome, code: ErrorCode, message: string): void {
    this.#refused = true
    this.log.error(
      {
        code,
        relay: welcome.relayId,
        remote: this.conn.remoteAddress,
        from: welcome.from,
        relayHead: welcome.head,
        head: this.#sent?.head,
      },
      `refusing to follow relay ${welcome.relayId}: ${message}`,
    )
    this.conn.fail(code, message)
    this.emit('refused', code, welcome.relayId)
  }

  private failed(err: unknown): void {
    this.#dropped = true
    if (!isNoSpace(err)) {
      this.log.error({ err }, 'applying entries from the relay failed; dropping the link to resync')
      this.conn.close(1011, 'apply failed')
      return
    }
    // A full disk: dropping the link now would only link, catch up and fail again, many times a
    // second, with an election each time. The link stays (frames are ignored) until the store
    // writes again (daemon/store/disk.ts), or DISK_FULL_RESYNC_MS, then goes and catches up.
    this.log.warn({ err }, 'the disk is full: entries from the relay wait; this machine catches up once there is space')
    const disk = this.replica.store.disk
    const resync = () => {
      clearTimeout(timer)
      disk.off('changed', onChange)
      if (this.conn.open) this.conn.close(1011, 'apply failed: the disk was full')
    }
    const onChange = (state: { full: boolean }) => {
      if (!state.full) resync()
    }
    const timer = setTimeout(resync, DISK_FULL_RESYNC_MS)
    timer.unref()
    disk.on('changed', onChange)
    if (!disk.state.full) resync()
  }
}
