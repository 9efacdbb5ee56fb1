/**
 * TLS 1.3 session tickets this daemon holds for the peers it connects to, so that connecting
 * again (a link after a failover or a blip, a file, a rekey) resumes the session: no
 * certificates, signatures or certificate parsing on either side, about half the server's CPU
 * of a full handshake.
 *
 * Why a resumed session is still the machine we pinned. On a resumed TLS 1.3 connection the
 * client sees no certificate (Node 20: `getPeerCertificate()` is empty), so there is nothing
 * to pin on the connection itself. But only the server that issued a ticket can accept it: the
 * ticket is sealed with that server process's own ticket keys (random per tls.Server, never
 * shared or written anywhere), and resuming proves knowledge of the resumption secret of the
 * handshake that issued it. So a ticket is kept only after a full handshake whose certificate
 * passed the pin, filed under the address *and* the node id we expected there, and a connection
 * that resumes it is with that same process, holding that same key. Another machine answering
 * at the address cannot open the ticket: the handshake is a full one, and its certificate is
 * checked against the pin as always (test/daemon/link/resume.test.ts). A ticket is never
 * offered for another expected peer than the one it was filed under.
 *
 * The server still knows who resumed: OpenSSL keeps the client's certificate in the session the
 * ticket carries, and `getPeerCertificate()` on the accepting side returns it (the same test).
 * The network key's proof stays per connection: the exporter differs on every connection,
 * resumed or not.
 *
 * A ticket is offered again until the server declines it (OpenSSL's server takes it as long as
 * it lives; a resumed connection brings no new one): RFC 8446 advises single use for privacy,
 * which on a LAN where addresses name the machines anyway buys nothing, against a full
 * handshake every other connection.
 */
import type { PeerKey } from '../identity/index.js'

/** Node's default server session lifetime (`sessionTimeout`, 300 s): older tickets are declined anyway. */
export const TICKET_MS = 300_000
/** Peers this daemon talks to: a LAN's worth. */
const MAX_TICKETS = 512

export interface Ticket {
  session: Buffer
  /** The machine whose full handshake issued it: what a connection resuming it is with. */
  peer: PeerKey
  at: number
}

export class TicketStore {
  readonly #tickets = new Map<string, Ticket>()

  constructor(private readonly now: () => number = Date.now) {}

  /** The slot of a peer address and the node id expected there ('' for none: the peer is whoever it was). */
  static slot(host: string, port: number, expect: string | undefined): string {
    return `${host}|${port}|${expect ?? ''}`
  }

  /** The ticket to offer for this slot, if one is fresh. */
  get(slot: string): Ticket | undefined {
    const ticket = this.#tickets.get(slot)
    if (ticket && this.now() - ticket.at >= TICKET_MS) {
      this.#tickets.delete(slot)
      return undefined
    }
    return ticket
  }

  /** A ticket from a connection whose peer passed the pin (or was resumed from one that did). */
  keep(slot: string, session: Buffer, peer: PeerKey): void {
    this.#tickets.delete(slot) // re-inserted last: the oldest slot is forgotten first
    this.#tickets.set(slot, { session, peer, at: this.now() })
    if (this.#tickets.size > MAX_TICKETS) this.#tickets.delete(this.#tickets.keys().next().value as string)
  }

  /** The address answered with another machine, or refused: its ticket is worth nothing. */
  forget(slot: string): void {
    this.#tickets.delete(slot)
  }

  get size(): number {
    return this.#tickets.size
  }
}
