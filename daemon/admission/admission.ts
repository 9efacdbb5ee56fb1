/**
 * This machine's place in its network, and the door it keeps for others (see joining.ts for
 * the way in, and the top of link/tls.ts for what membership opens):
 *
 * - **Holding the key** (`key()`): from `--network-key-file`, from the data folder, made when
 *   founding, or received sealed when let in. Saved in DATA_DIR/network-key (0600).
 * - **The door** (`answerJoin`): a machine without the key asks; it is noted in `asking`,
 *   shown on the Network panel with its fingerprint, and let in or refused by a person logged
 *   in here (`admit`, `refuse`). An open network (`--open`) lets every asker in at once.
 *   Decisions are this machine's: a newcomer asks every member it sees, so a person on any
 *   member machine can let it in.
 */
import { EventEmitter } from 'node:events'
import { rm, stat, writeFile } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join } from 'node:path'
import type { Logger } from 'pino'
import * as z from 'zod'
import { saveNetworkKey, sealNetworkKey, type MachineIdentity, type NetworkKey } from '../identity/index.js'
import type { PeerStanding } from '../link/index.js'
import { AskingList, type Asking } from './asking.js'
import { readJson, replyJson } from './json-body.js'
import type { RemovedList, RemovedMachine } from './removed.js'

export const JoinRequest = z.object({ name: z.string().min(1).max(63), network: z.string().min(1).max(63) })

export type Standing = 'member' | 'asking' | 'refused' | 'alone'

/** Present in the data folder while this machine lets every asker in (set from the Network panel). */
const OPEN_MARKER = 'network-open'

/** Whether this start lets every asker in: `--open`, or opened from the Network panel before. */
export async function openAtStart(dataDir: string, flag: boolean): Promise<boolean> {
  return (
    flag ||
    (await stat(join(dataDir, OPEN_MARKER)).then(
      () => true,
      () => false,
    ))
  )
}

export interface AdmissionOptions {
  dataDir: string
  identity: MachineIdentity
  network: string
  key: NetworkKey | null
  open: boolean
  removed: RemovedList
  log: Logger
}

export class Admission extends EventEmitter<{ changed: []; member: [NetworkKey]; rekeyed: [RemovedMachine] }> {
  #key: NetworkKey | null
  #standing: Standing
  #open: boolean
  readonly asking = new AskingList()

  constructor(private readonly opts: AdmissionOptions) {
    super()
    this.#key = opts.key
    this.#open = opts.open
    this.#standing = opts.key ? 'member' : 'alone'
  }

  key(): NetworkKey | null {
    return this.#key
  }

  get identity(): MachineIdentity {
    return this.opts.identity
  }

  get removed(): RemovedList {
    return this.opts.removed
  }

  /** The network key was replaced because `removed` was removed (removal.ts): take the new one, note it, cut it off. */
  async rekey(key: NetworkKey, removed: RemovedMachine): Promise<void> {
    await this.opts.removed.add(removed)
    this.asking.forget(removed.sha256)
    await saveNetworkKey(this.opts.dataDir, key)
    this.#key = key
    this.#standing = 'member'
    this.opts.log.warn(
      { removed: removed.fingerprint, name: removed.name, by: removed.by, keyId: key.id },
      'a machine was removed; the network key was replaced',
    )
    this.emit('rekeyed', removed)
    this.emit('changed')
  }

  get standing(): Standing {
    return this.#standing
  }

  get open(): boolean {
    return this.#open
  }

  /** Opens or closes this machine's door; remembered across restarts in DATA_DIR/network-open. */
  async setOpen(open: boolean, by: string): Promise<void> {
    if (this.#open === open) return
    const marker = join(this.opts.dataDir, OPEN_MARKER)
    if (open) await writeFile(marker, `opened by ${by}\n`, { mode: 0o600 })
    else await rm(marker, { force: true })
    this.#open = open
    this.opts.log.warn(
      { by, open },
      open ? 'this machine now lets in every machine that asks' : 'this machine no longer lets machines in unasked',
    )
    this.emit('changed')
  }

  /** A key no member accepts any more (newcomer.ts): shown as asking to join again, until let in. */
  setStale(stale: boolean): void {
    if (!this.#key) return
    const standing = stale ? 'asking' : 'member'
    if (this.#standing === standing) return
    this.#standing = standing
    this.opts.log.warn(
      { keyId: this.#key.id },
      stale
        ? 'the members seen refuse this machine’s network key (replaced while it was away?): asking to join again'
        : 'the network key is accepted again',
    )
    this.emit('changed')
  }

  /** The standing while keyless: asking, refused or still alone. */
  setStanding(standing: Exclude<Standing, 'member'>): void {
    if (this.#key || this.#standing === standing) return
    this.#standing = standing
    this.emit('changed')
  }

  /** Takes a key (founded, or opened after being let in), saves it, and says so. */
  async hold(key: NetworkKey, how: 'founded' | 'admitted'): Promise<void> {
    await saveNetworkKey(this.opts.dataDir, key)
    this.#key = key
    this.#standing = 'member'
    this.opts.log.warn(
      { keyId: key.id, network: this.opts.network },
      how === 'founded'
        ? 'no network found: founded one (its key is in the data folder)'
        : 'let in: this machine now holds the network key',
    )
    this.emit('member', key)
    this.emit('changed')
  }

  /** A person let the machine asking as `nodeId` in. */
  admit(nodeId: string, by: string): Asking | null {
    return this.decide(nodeId, true, by)
  }

  refuse(nodeId: string, by: string): Asking | null {
    return this.decide(nodeId, false, by)
  }

  private decide(nodeId: string, admitted: boolean, by: string): Asking | null {
    const asking = this.asking.byNodeId(nodeId)
    if (!asking) return null
    asking.decision = { admitted, by, at: Date.now() }
    this.opts.log.warn(
      { peer: asking.peer.fingerprint, name: asking.name, by },
      admitted ? 'a person let a machine in' : 'a person refused a machine',
    )
    this.emit('changed')
    return asking
  }

  /** `POST /peer/v1/join` (link/server.ts): a machine asks to be let in. */
  async answerJoin(req: IncomingMessage, res: ServerResponse, standing: PeerStanding, ip: string): Promise<void> {
    const reply = (status: number, body: object) => replyJson(res, status, body)
    const parsed = JoinRequest.safeParse(await readJson(req))
    if (!parsed.success) return reply(400, { error: { code: 'bad_request', message: 'A join request is {name, network}.' } })
    const key = this.#key
    if (!key)
      return reply(409, { error: { code: 'not_network_member', message: 'This machine has no network yet; it is looking for one too.' } })
    if (standing.member) return reply(200, { state: 'admitted', sealedKey: await sealNetworkKey(key, standing.peer.publicKey) })
    if (parsed.data.network !== this.opts.network)
      return reply(403, { error: { code: 'network_mismatch', message: `This machine is in network "${this.opts.network}".` } })
    if (this.opts.removed.has(standing.peer.sha256))
      return reply(403, { state: 'refused', error: { code: 'not_admitted', message: 'This machine was removed from the network.' } })
    const asking = this.asking.note(standing.peer, parsed.data.name, ip)
    if (!asking) return reply(503, { error: { code: 'busy', message: 'Too many machines are asking to join from there; try later.' } })
    if (this.#open && !asking.decision) asking.decision = { admitted: true, by: 'open network', at: Date.now() }
    if (asking.decision?.admitted) {
      this.opts.log.info(
        { peer: standing.peer.fingerprint, name: asking.name, by: asking.decision.by },
        'handing the network key to a machine let in',
      )
      return reply(200, { state: 'admitted', sealedKey: await sealNetworkKey(key, standing.peer.publicKey) })
    }
    if (asking.decision)
      return reply(403, {
        state: 'refused',
        error: { code: 'not_admitted', message: `Refused by ${asking.decision.by} on ${this.opts.identity.nodeId}.` },
      })
    if (asking.firstAsked === asking.lastAsked) {
      this.opts.log.warn(
        { peer: standing.peer.fingerprint, name: asking.name, ip },
        'a machine asks to join; a person can let it in from the Network panel',
      )
      this.emit('changed')
    }
    return reply(202, { state: 'asking', fingerprint: standing.peer.fingerprint })
  }
}
