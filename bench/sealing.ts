/**
 * What end-to-end encrypted rooms cost (issue 14, item 4), in this process (no daemon): an
 * epoch change in a room of N members (a new key, N sealed boxes to the members' X25519 keys,
 * the BLAKE2b commitment), opening one's copy of a room key (a sealed-box opening and the
 * commitment check: once per room and epoch per request), and encrypting and decrypting one
 * chat line with XChaCha20-Poly1305-IETF. Part of `npm run bench` as the `sealing` scenario
 * (with sealed-page.ts); alone: `npx tsx bench/sealing.ts [members] [messages]`.
 */
import { performance } from 'node:perf_hooks'
import { newAccountSecrets, publicKeysOf } from '../daemon/accounts/keys.js'
import { decryptContent, encryptContent, newRoomKey, openRoomKey, roomKeyCommitment, sealRoomKey } from '../daemon/sealing/index.js'

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits

export interface SealingCosts {
  members: number
  epochChangeMs: number
  /** One member's share of an epoch change: sealing the room key to one X25519 key (µs, median). */
  wrapUs: number
  openKeyUs: number
  messages: number
  encryptUs: number
  decryptUs: number
}

export async function sealingCosts(opts: { members: number; messages: number; epochs: number }): Promise<SealingCosts> {
  const people = Array.from({ length: opts.members }, () => newAccountSecrets())
  const boxes = people.map((p) => publicKeysOf(p).box)
  const room = 'r-benchbenchbe'
  const epochTimes: number[] = []
  const wrapTimes: number[] = []
  let last: { key: Buffer; sealed: string[]; commitment: string; epoch: number } | null = null
  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    const started = performance.now()
    const key = await newRoomKey()
    const sealed: string[] = []
    for (const box of boxes) {
      const s = performance.now()
      sealed.push(await sealRoomKey(key, box))
      wrapTimes.push(performance.now() - s)
    }
    const commitment = await roomKeyCommitment(key, { room, epoch })
    epochTimes.push(performance.now() - started)
    last = { key, sealed, commitment, epoch }
  }
  const { key, sealed, commitment, epoch } = last!
  let started = performance.now()
  for (let i = 0; i < opts.members; i++) {
    const opened = await openRoomKey(sealed[i]!, people[i]!.box, { room, epoch, commitment })
    if (!opened?.equals(key)) throw new Error('a member could not open the room key the bench sealed')
  }
  const openKeyUs = ((performance.now() - started) * 1000) / opts.members

  const at = { room, epoch, author: 'bench' }
  const text = 'a chat line of about the length people write, with a few more words in it to be fair to it'
  started = performance.now()
  const cts = []
  for (let i = 0; i < opts.messages; i++) cts.push(await encryptContent(key, at, { text: `${text} ${i}` }))
  const encryptUs = ((performance.now() - started) * 1000) / opts.messages
  started = performance.now()
  for (let i = 0; i < opts.messages; i++) {
    if ((await decryptContent(key, at, cts[i]!))?.text !== `${text} ${i}`) throw new Error('a message the bench sealed did not open')
  }
  const decryptUs = ((performance.now() - started) * 1000) / opts.messages
  return {
    members: opts.members,
    epochChangeMs: round(median(epochTimes), 2),
    wrapUs: round(median(wrapTimes) * 1000),
    openKeyUs: round(openKeyUs),
    messages: opts.messages,
    encryptUs: round(encryptUs),
    decryptUs: round(decryptUs),
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const members = Number(process.argv[2] ?? 50)
  const messages = Number(process.argv[3] ?? 20_000)
  console.log(JSON.stringify(await sealingCosts({ members, messages, epochs: 20 })))
}
