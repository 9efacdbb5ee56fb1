/**
 * The client side of a link to the relay. Speaks first with `hello` (our head and
 * checkpoints), applies what the relay says: `welcome.from` (truncate anything after it:
 * those entries move to the outbox and are resubmitted), then `entries`.
 */
import { EventEmitter } from 'node:events'
import type { Logger } from 'pino'
import { PROTOCOL_VERSION, type Frame, type Roster, type Typing, type Welcome } from '../../shared/index.js'
import type { PeerConnection } from '../link/index.js'
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
}

export class Follower extends EventEmitter<FollowerEvents> {
  #welcome: Welcome | null = null
  // Frames are handled one at a time, in arrival order, even though applying is async.
  #queue: Promise<void> = Promise.resolve()

  constructor(
    readonly conn: PeerConnection,
    private readonly replica: Replica,
    private readonly me: FollowerIdentity,
    private readonly log: Logger,
  ) {
    super()
    conn.on('frame', (frame) => {
      this.#queue = this.#queue.then(() => this.onFrame(frame)).catch((err) => this.failed(err))
    })
    // After the frames that came before it: a relay that hands over sends `handover`, then
    // closes; a close seen while entries were still being applied must not overtake it.
    conn.on('close', (code, reason) => {
      this.#queue = this.#queue
        .then(() => {
          this.emit('closed', `${code} ${reason}`.trim())
        })
        .catch((err: unknown) => this.log.error({ err }, 'handling the end of the link failed'))
    })
  }

  get welcome(): Welcome | null {
    return this.#welcome
  }

  async start(): Promise<void> {
    this.conn.send({
      type: 'hello',
      proto: PROTOCOL_VERSION,
      ...this.me,
      head: this.replica.head,
      checkpoints: await this.replica.store.log.checkpoints(),
    })
  }

  private async onFrame(frame: Frame): Promise<void> {
    switch (frame.type) {
      case 'welcome':
        return this.onWelcome(frame)
      case 'entries':
        if (!this.#welcome) return this.conn.fail('frame_invalid', 'entries before welcome')
        await this.replica.append(frame.entries)
        return
      // Nothing waits for an ack: the outbox waits for the entry itself to reach our replica.
      case 'ack':
        return
      case 'reject':
        this.emit('reject', frame.id, frame.code, frame.message)
        return
      case 'roster':
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
    if (welcome.from < this.replica.head) {
      const moved = await this.replica.truncateAfter(welcome.from)
      this.log.warn({ from: welcome.from, moved: moved.length }, 'our log went further than the relay; resubmitting those entries')
    }
    this.#welcome = welcome
    this.emit('ready', welcome)
  }

  private failed(err: unknown): void {
    this.log.error({ err }, 'applying entries from the relay failed; dropping the link to resync')
    this.conn.close(1011, 'apply failed')
  }
}
