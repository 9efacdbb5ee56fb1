/**
 * Opening sealed messages for one logged-in person (docs/ARCHITECTURE.md, "Private rooms end
 * to end"). Every read path that hands out a message's text goes through an opener: the
 * messages API and its history paging, the answers to edits and reactions, the outbox list,
 * unread mentions, the live feed, and the download of a sealed message's files (whose keys
 * are in its sealed content). A message that does not open is answered with `text: ''`
 * and a reason (`unreadable`), and logged with who sent it; it never fails the request.
 *
 * An opener holds the person's X25519 key, opened from their session for this request or
 * page event only (and only once a sealed message needs it: a page of a plain room opens none), and the room keys it opened along the way (one per room and epoch), so a
 * page of fifty messages costs one sealed-box opening, not fifty. `close` wipes them all;
 * nothing outlives the request that made it, so a log-out leaves no key behind to wipe.
 */
import type { Logger } from 'pino'
import type { Message, ReplyQuote, UnreadableReason } from '../../shared/index.js'
import { sessionBoxKey } from '../accounts/index.js'
import { decryptContent, openRoomKey, type Content } from '../sealing/index.js'
import type { ViewQueries } from '../store/index.js'
import type { Authenticated } from './auth.js'
import { quoteOf } from './reply-links.js'

/**
 * What `open` changes in a message, by the keys that carry it in the message's stored JSON: a
 * sealed text and files to open, blobs that are not shown, a reply's quote to add. A message
 * with none of them is shown exactly as it is stored. In JSON text `"key":` is a key wherever it
 * occurs (inside a string its quotes would be escaped); a nested key of the same name, or a
 * field added later that `open` does not change, only sends a message down the decoding path.
 */
const OPENING_CHANGES = /"(?:sealed|blobs|replyTo)":/

export class MessageOpener {
  /**
   * `${room}!${epoch}` → the opening of that room key, shared by every message of the request
   * that needs it: a page opens its fifty messages at once, and each would otherwise start its
   * own sealed-box opening before the first one is done (bench `sealing`: 29 → 9 ms a page).
   */
  readonly #roomKeys = new Map<string, Promise<Buffer | UnreadableReason>>()
  /** Opened keys, to wipe at close (an opening that ends after close is wiped as it ends). */
  readonly #opened: Buffer[] = []
  #closed = false
  /** The person's X25519 private key once opened (null: their session holds none); undefined until a sealed message needs it. */
  #boxKey: Buffer | null | undefined
  readonly #openBoxKey: (() => Buffer | null) | null

  constructor(
    private readonly q: ViewQueries,
    private readonly username: string,
    /**
     * The person's X25519 private key (null when their session holds none), or how to open it:
     * then it is opened at the first sealed message, so a page of a plain room opens nothing.
     */
    boxKey: Buffer | null | (() => Buffer | null),
    private readonly log: Logger,
  ) {
    this.#openBoxKey = typeof boxKey === 'function' ? boxKey : null
    this.#boxKey = typeof boxKey === 'function' ? undefined : boxKey
  }

  /** An opener for the person a request (or a page socket) was authenticated as. */
  static forSession(q: ViewQueries, who: Authenticated, log: Logger): MessageOpener {
    return new MessageOpener(q, who.session.username, () => sessionBoxKey(who.session, who.token), log)
  }

  /** The person's key, opened from their session the first time it is needed (never after close). */
  private get boxKey(): Buffer | null {
    if (this.#boxKey === undefined) this.#boxKey = this.#closed ? null : this.#openBoxKey!()
    return this.#boxKey
  }

  /**
   * The message as the person may see it: without its sealed form, with its text and files
   * opened, or why not. A sealed message's files are the refs as the sender's page saw them
   * (their keys stay here, in the daemon).
   */
  async open(message: Message): Promise<Message> {
    const shown = await this.openOne(message)
    if (!message.replyTo) return shown
    // A reply carries a quote of what it answers, opened for this person too (reply-links.ts).
    return { ...shown, quote: await this.quote(message.room, message.replyTo) }
  }

  /** What a reply to `id` shows of it, for this person (reply-links.ts). */
  quote(room: string, id: string): Promise<ReplyQuote> {
    return quoteOf(this.q, room, id, (m) => this.openOne(m))
  }

  private async openOne(message: Message): Promise<Message> {
    const { sealed, blobs: _blobs, ...rest } = message
    if (!sealed) return rest
    const opened = await this.content(message)
    if (typeof opened !== 'string') {
      const files = opened.files?.map(({ seal: _seal, ...file }) => file)
      return { ...rest, text: opened.text, encrypted: true, ...(files?.length ? { files } : {}) }
    }
    return { ...rest, text: '', encrypted: true, unreadable: opened }
  }

  /**
   * A sealed message's content: its text, and its files with their keys, for this daemon only
   * (the file route opens them with these). Only files whose every sealed blob the message's
   * visible `blobs` name are kept: the relay and the machines hold and move those, nothing else.
   */
  async content(message: Message): Promise<Content | UnreadableReason> {
    if (!message.sealed) return { text: message.text }
    const sealed = message.sealed
    const opened = await this.text(message.room, message.author, sealed)
    if (typeof opened === 'string') {
      const level = opened === 'no_key' || opened === 'no_session_key' ? 'debug' : 'warn'
      this.log[level](
        { room: message.room, id: message.id, author: message.author, epoch: sealed.epoch, reader: this.username, reason: opened },
        'a sealed message cannot be read on this machine',
      )
      return opened
    }
    if (!opened.files?.length) return opened
    const visible = new Set((message.blobs ?? []).map((b) => b.sha256))
    const files = opened.files.filter((f) => [f.seal.original, f.seal.display, f.seal.thumbnail].every((s) => !s || visible.has(s.blob)))
    if (files.length < opened.files.length)
      this.log.warn(
        { room: message.room, id: message.id, author: message.author, dropped: opened.files.length - files.length },
        'a sealed message names files its entry does not carry; they are not shown',
      )
    return { text: opened.text, ...(files.length ? { files } : {}) }
  }

  openAll(messages: Message[]): Promise<Message[]> {
    return Promise.all(messages.map((m) => this.open(m)))
  }

  /**
   * `openAll` on messages as the JSON text the store holds, answering JSON text: a message that
   * `open` would change is decoded, opened and encoded; the others are handed on as they are,
   * which is what `open` would have made of them, without an object or a promise each.
   */
  async openAllJson(messages: readonly string[]): Promise<string[]> {
    const out = messages.slice()
    const opening: Promise<void>[] = []
    for (let i = 0; i < out.length; i++) {
      if (!OPENING_CHANGES.test(out[i]!)) continue
      const opened = this.open(JSON.parse(out[i]!) as Message).then((m) => {
        out[i] = JSON.stringify(m)
      })
      opening.push(opened)
    }
    if (opening.length > 0) await Promise.all(opening)
    return out
  }

  /** Wipes every key this opener held. */
  close(): void {
    this.#closed = true
    this.#boxKey?.fill(0)
    for (const key of this.#opened) key.fill(0)
    this.#opened.length = 0
    this.#roomKeys.clear()
  }

  private async text(room: string, author: string, sealed: NonNullable<Message['sealed']>): Promise<Content | UnreadableReason> {
    if (!this.boxKey) return 'no_session_key'
    const key = await this.roomKey(room, sealed.epoch)
    if (typeof key === 'string') return key
    const content = await decryptContent(key, { room, epoch: sealed.epoch, author }, sealed)
    return content ?? 'tampered'
  }

  /** This person's copy of a room's key of one epoch, opened once per opener. */
  roomKey(room: string, epoch: number): Promise<Buffer | UnreadableReason> {
    const at = `${room}!${epoch}`
    let opening = this.#roomKeys.get(at)
    if (!opening) {
      opening = this.openRoomKey(room, epoch)
      this.#roomKeys.set(at, opening)
    }
    return opening
  }

  private async openRoomKey(room: string, epoch: number): Promise<Buffer | UnreadableReason> {
    const record = await this.q.roomKey(room, epoch)
    const mine = record?.sealed[this.username.toLowerCase()]
    if (!record || !mine) return 'no_key'
    if (!this.boxKey) return 'no_session_key'
    const key = await openRoomKey(mine, this.boxKey, { room, epoch, commitment: record.commitment })
    if (!key) return 'key_invalid'
    if (this.#closed) key.fill(0)
    else this.#opened.push(key)
    return key
  }
}

/** Runs `use` with an opener for `who`, and wipes its keys however it ends. */
export async function withOpener<T>(q: ViewQueries, who: Authenticated, log: Logger, use: (o: MessageOpener) => Promise<T>): Promise<T> {
  const opener = MessageOpener.forSession(q, who, log)
  try {
    return await use(opener)
  } finally {
    opener.close()
  }
}
