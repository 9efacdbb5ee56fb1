/**
 * Where shared files come from and where they go: a machine that lacks a blob asks the relay
 * first (it has every file), then the machine the message came from, then anyone; a message's
 * files go to the relay before the message does; small files and pictures are copied to every
 * machine as soon as they are shared.
 */
import { join } from 'node:path'
import type { Logger } from 'pino'
import type { Entry, Status, Submission } from '../../shared/index.js'
import type { PeerTls } from '../link/index.js'
import type { OfferFiles } from '../outbox/index.js'
import { sealedFileSize } from '../sealing/index.js'
import { BlobStore } from './blobs.js'
import { blobsOf, eagerBlobsOf } from './refs.js'
import { BlobTransfer, type BlobSource } from './transfer.js'
import { Uploads } from './uploads.js'

/** What of the status the choice of machine rests on. */
export type NetworkView = Pick<Status, 'nodeId' | 'role' | 'relayId' | 'peers' | 'maxFileBytes'>

/** The other machines to ask for a blob: the relay first (it has every file), then the machine the file came from, then anyone. */
export function rankSources(view: Pick<NetworkView, 'nodeId' | 'relayId' | 'peers'>, origin?: string): BlobSource[] {
  const rank = (id: string) => (id === view.relayId ? 0 : id === origin ? 1 : 2)
  return view.peers
    .filter((p) => p.nodeId !== view.nodeId)
    .sort((a, b) => rank(a.nodeId) - rank(b.nodeId))
    .map((p) => ({ name: p.name, host: p.host, port: p.peerPort, nodeId: p.nodeId }))
}

/** The relay as a place to send files to; null when no relay is known among the peers. */
export function relaySource(view: Pick<NetworkView, 'relayId' | 'peers'>): BlobSource | null {
  const relay = view.peers.find((p) => p.nodeId === view.relayId)
  return relay ? { name: relay.name, host: relay.host, port: relay.peerPort, nodeId: relay.nodeId } : null
}

export interface Files {
  blobs: BlobStore
  uploads: Uploads
  transfer: BlobTransfer
  /**
   * A message's files go to the relay before the message does (unless this is the relay):
   * offered on the link first (`offer`), since the relay takes only files offered for a message.
   */
  toRelay: (s: Submission, offer: OfferFiles | null) => Promise<void>
  /**
   * Small files and every picture's renditions are copied to this machine as soon as they are
   * shared, so they open at once and survive the machines they came from; large files wait
   * until someone here opens one.
   */
  eager: (entries: Entry[]) => void
}

/** Shared files: their bytes, this machine's uploads, and moving them between machines. */
export async function openFiles(
  dataDir: string,
  maxFileBytes: number,
  status: () => NetworkView,
  tls: PeerTls,
  log: Logger,
): Promise<Files> {
  const blobs = await BlobStore.open(join(dataDir, 'blobs'))
  const uploads = await Uploads.open(join(dataDir, 'uploads'), blobs)
  // What this daemon takes from others: its own limit as relay; any verified blob a relay took, as a client.
  const transfer = new BlobTransfer(
    blobs,
    tls,
    (origin) => rankSources(status(), origin),
    // A file of an encrypted room at the limit is a little over it once sealed (file-stream.ts).
    () => sealedFileSize(Math.max(maxFileBytes, status().maxFileBytes)),
    log,
  )
  const toRelay = async (s: Submission, offer: OfferFiles | null): Promise<void> => {
    const shas = [...new Set(blobsOf(s.body))]
    const view = status()
    if (shas.length === 0 || view.role === 'relay') return
    const relay = relaySource(view)
    if (!relay || !offer) throw new Error('no relay to send the files to')
    const offered: { sha256: string; bytes: number }[] = []
    for (const sha256 of shas) {
      // A message resubmitted after a partition (the outbox's merge) can name a file this
      // machine never fetched: fetched first, from whoever has it, or the outbox would wait on
      // a file it cannot send forever.
      if ((await blobs.size(sha256)) === null) await transfer.ensure(sha256, s.origin)
      const bytes = await blobs.size(sha256)
      if (bytes === null) throw new Error(`this machine does not have the file ${sha256.slice(0, 12)}… to send`)
      offered.push({ sha256, bytes })
    }
    // Offered on the link before the pushes start: written to the socket first, it is in
    // the relay's hands well before a push's new TLS connection is (a push that still wins
    // the race is refused, and the outbox offers and pushes again 2 s later).
    await offer({ id: s.id, blobs: offered })
    for (const blob of shas) await transfer.push(blob, relay)
  }
  const eager = (entries: Entry[]): void => {
    for (const e of entries) {
      for (const blob of eagerBlobsOf(e.body)) {
        transfer
          .ensure(blob, e.origin)
          .catch((err: unknown) => log.warn({ err, sha256: blob }, 'could not copy a shared file here yet; it is fetched when opened'))
      }
    }
  }
  return { blobs, uploads, transfer, toRelay, eager }
}
