/**
 * What account keys cost (issue 14), in this process: a log-in (opening the wrapped keys:
 * scrypt at N = 2^17, r = 8, then AES-256-GCM), which is also what an offline guesser pays per
 * guess; signing an entry; checking one; and checking a batch as a replica does on catch-up
 * (accounts/signatures.ts `checkBatch`, in frames of 2,000 entries, its signatures checked on
 * every core by accounts/verify-pool.ts). The daemons' own figures with signing on
 * are the other scenarios' (fanout, catchup).
 */
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { checkBatch, signatureValid, signEntry } from '../daemon/accounts/index.js'
import { newAccountSecrets, publicKeysOf, unwrapKeys, WRAP_PARAMS, wrapKeys } from '../daemon/accounts/keys.js'
import type { AccountKeys, Entry, Submission } from '../shared/index.js'
import { median } from './lan.js'
import type { BenchAccount } from './loadgen-protocol.js'

/** The most entries in one `entries` frame (shared/frames.ts). */
const FRAME_ENTRIES = 2000

export interface AccountCosts {
  unwrapMs: number
  unwraps: number
  signUs: number
  verifyUs: number
  entries: number
  batchPerS: number
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits

export async function accountCosts(opts: { unwraps: number; entries: number }): Promise<AccountCosts> {
  const secrets = newAccountSecrets()
  const keys: AccountKeys = publicKeysOf(secrets)
  const wrapped = await wrapKeys(secrets, 'bench lamp orbit velvet', 'bench')
  const times: number[] = []
  for (let i = 0; i < opts.unwraps; i++) {
    const started = performance.now()
    if (!(await unwrapKeys(wrapped, 'bench lamp orbit velvet', 'bench', keys))) throw new Error('the bench could not open its own keys')
    times.push(performance.now() - started)
  }

  const created: Entry = {
    id: 'bench-account',
    ts: 1,
    origin: '0123456789abcdef',
    body: { type: 'account.created', username: 'bench', keys, wrapped },
    seq: 1,
    term: 1,
  }
  created.sig = signEntry(created, secrets, keys)
  const unsigned: Submission[] = Array.from({ length: opts.entries }, (_, i) => ({
    id: `bench-${String(i).padStart(8, '0')}`,
    ts: 1_700_000_000_000 + i,
    origin: '0123456789abcdef',
    body: { type: 'message.posted', room: 'general', author: 'bench', text: `message ${i} of the benchmark, about as long as a chat line` },
  }))
  let started = performance.now()
  const signed: Entry[] = unsigned.map((s, i) => ({ ...s, sig: signEntry(s, secrets, keys), seq: i + 2, term: 1 }))
  const signUs = ((performance.now() - started) * 1000) / opts.entries
  started = performance.now()
  for (const e of signed) if (!signatureValid(e, keys.sign)) throw new Error('a signature the bench made did not verify')
  const verifyUs = ((performance.now() - started) * 1000) / opts.entries
  started = performance.now()
  // In frames of 2,000 as a relay sends them; the account is in the log once the first is applied.
  let applied = false
  const log = { account: async () => (applied ? { keys } : undefined), seqOf: async () => undefined }
  const all = [created, ...signed]
  for (let at = 0; at < all.length; at += FRAME_ENTRIES) {
    const verdict = await checkBatch(all.slice(at, at + FRAME_ENTRIES), log, 0)
    if (!verdict.ok) throw new Error(`the batch did not check: ${verdict.message}`)
    applied = true
  }
  const batchPerS = Math.round((opts.entries + 1) / ((performance.now() - started) / 1000))
  return {
    unwrapMs: round(median(times)),
    unwraps: opts.unwraps,
    signUs: round(signUs),
    verifyUs: round(verifyUs),
    entries: opts.entries,
    batchPerS,
  }
}

/** An account for the fan-out publisher (loadgen-protocol.ts): real keys, a wrapping nobody opens. */
export function benchAccount(username: string): BenchAccount {
  const secrets = newAccountSecrets()
  const b64 = (n: number) => randomBytes(n).toString('base64url')
  return {
    username,
    sign: secrets.sign.toString('base64url'),
    box: secrets.box.toString('base64url'),
    created: {
      type: 'account.created',
      username,
      keys: publicKeysOf(secrets),
      wrapped: { kdf: { ...WRAP_PARAMS, salt: b64(16) }, aead: 'aes-256-gcm', nonce: b64(12), sealed: b64(80) },
    },
  }
}
