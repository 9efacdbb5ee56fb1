/**
 * Signing entries and checking them (issue 14; shared/signing.ts says over what and by whom).
 *
 * Who must sign what, checked by the relay before it orders a submission and by every replica
 * before it applies an entry the relay sent:
 * - an account with keys signs everything it makes, with its Ed25519 key;
 * - a new account signs its own `account.created` with the key it publishes in it (so nobody
 *   publishes keys they do not hold), and an account getting its first keys signs
 *   `account.keys` with the new key; a re-wrapping is signed with the key the account has;
 * - an account from before account keys has none to sign with: its entries pass unsigned
 *   until its `account.keys`, after which an unsigned entry in its name is refused. A new
 *   account without keys is refused by the relay (`newAccountsNeedKeys`); a replica takes one
 *   that is already in the log's history.
 *
 * Public keys are parsed once and kept (a few hundred accounts); verification is Ed25519 from
 * node:crypto.
 */
import { sign } from 'node:crypto'
import { loadSodium } from '../sealing/index.js'
import { actorOf, signedText, type AccountKeys, type Entry, type ErrorCode, type Signable, type Submission } from '../../shared/index.js'
import { InputError } from '../errors/index.js'
import { type AccountSecrets, signingKeyOf } from './keys.js'
import { type SignatureJob, verifyAll, verifyHere } from './verify-pool.js'

export type SignatureVerdict = { ok: true } | { ok: false; code: ErrorCode; message: string }

/** What the check needs to know of an account: its keys, if it has any. */
export interface KeyDirectory {
  account(username: string): Promise<{ keys?: AccountKeys } | undefined>
}

export interface SignatureRules {
  /** The relay ordering something new: a new account must come with keys. */
  newAccountsNeedKeys: boolean
}

const OK: SignatureVerdict = { ok: true }

/** Signs `s` as the account whose private keys are `secrets` and public keys `keys`. */
export function signEntry(s: Signable, secrets: AccountSecrets, keys: AccountKeys): string {
  return sign(null, Buffer.from(textOf(s), 'utf8'), signingKeyOf(secrets.sign, keys.sign)).toString('base64url')
}

/**
 * The signed text of entries whose checks were sent ahead (`likelyChecks`, verify-ahead.ts),
 * kept while the entry object lives, so that checking their batch in order does not compute
 * RFC 8785 again. Only entries of a parsed frame go there, which nothing changes afterwards.
 */
const texts = new WeakMap<Signable, string>()

/**
 * What is signed; a text with a lone surrogate (half of an emoji's UTF-16 pair) has no RFC 8785
 * form, and is refused in words rather than failing a whole batch at the relay.
 */
function textOf(s: Signable, keep = false): string {
  const known = texts.get(s)
  if (known !== undefined) return known
  try {
    const text = signedText(s)
    if (keep) texts.set(s, text)
    return text
  } catch (cause) {
    throw new InputError('bad_request', 'The text has a broken character (half of an emoji, say); remove it and send again.', { cause })
  }
}

export function signatureValid(s: Submission, signKey: string): boolean {
  const job = jobOf(s, signKey)
  return job !== null && verifyHere(job)
}

/** What checking `s` against `signKey` needs, or null when it has no signature or no canonical form. */
function jobOf(s: Submission, signKey: string, keep = false): SignatureJob | null {
  if (!s.sig) return null
  try {
    return { text: textOf(s, keep), key: signKey, sig: s.sig }
  } catch {
    return null // no canonical form, so nothing can have been signed over it
  }
}

/**
 * Who must have signed `s`, decided without checking the signature yet: a verdict already, or
 * the check to run. Split this way so a batch can run all its checks at once (verify-pool.ts).
 */
type Pending = SignatureVerdict | { check: SignatureJob | null; actor: string }

export async function checkSignature(s: Submission, directory: KeyDirectory, rules: SignatureRules): Promise<SignatureVerdict> {
  const pending = await signatureDue(s, directory, rules)
  if (!('check' in pending)) return pending
  return pending.check && verifyHere(pending.check) ? OK : unsigned(pending.actor, pending.check)
}

async function signatureDue(s: Submission, directory: KeyDirectory, rules: SignatureRules): Promise<Pending> {
  const actor = actorOf(s.body)
  const body = s.body
  if ((body.type === 'account.created' || body.type === 'account.keys') && body.keys && !(await usableKeys(body.keys))) {
    return refuse(
      'bad_signature',
      `The keys published for "${actor}" are not usable keys (a weak or malformed Ed25519 key signs for anyone).`,
    )
  }
  if (body.type === 'account.created') {
    if (body.keys && body.wrapped) return signedBy(s, actor, body.keys.sign)
    if (rules.newAccountsNeedKeys) {
      return refuse(
        'signature_required',
        `A new account comes with its keys; "${actor}" was sent without them by an older SO-CHAT. Update it and sign up again.`,
      )
    }
    return OK
  }
  const account = await directory.account(actor)
  if (body.type === 'account.keys') return signedBy(s, actor, account?.keys?.sign ?? body.keys.sign)
  // No such account: the rule book refuses it (unknown_author), with the better sentence.
  if (!account?.keys) return OK
  return signedBy(s, actor, account.keys.sign)
}

/**
 * Whether published keys are ones a person could hold: each the canonical base64url of 32 bytes
 * (so one key has one spelling), and the Ed25519 key a point of the main subgroup, not of small
 * order. A small-order key such as the identity point has signatures that verify any message
 * (RFC 8032 verifiers accept them); libsodium's Ed25519-to-X25519 map refuses exactly those.
 */
async function usableKeys(keys: AccountKeys): Promise<boolean> {
  const canonical = (b64: string) => Buffer.from(b64, 'base64url').toString('base64url') === b64
  if (!canonical(keys.sign) || !canonical(keys.box)) return false
  const sodium = await loadSodium()
  try {
    sodium.crypto_sign_ed25519_pk_to_curve25519(Buffer.from(keys.sign, 'base64url'))
    return true
  } catch {
    return false
  }
}

function signedBy(s: Submission, actor: string, signKey: string): Pending {
  return { check: jobOf(s, signKey), actor }
}

/** The refusal for a signature that is missing (`check` null) or did not verify. */
function unsigned(actor: string, check: SignatureJob | null): Refusal {
  return check
    ? refuse('bad_signature', `This is not signed by "${actor}": it was changed, or made by someone else in their name.`)
    : refuse('signature_required', `Entries by "${actor}" must be signed with their key; this one is not.`)
}

type Refusal = { ok: false; code: ErrorCode; message: string }

function refuse(code: ErrorCode, message: string): Refusal {
  return { ok: false, code, message }
}

export type BatchVerdict = { ok: true } | { ok: false; entry: Entry; code: ErrorCode; message: string }

/** What a replica knows of its own log, to check a batch against. */
export interface LogDirectory extends KeyDirectory {
  /** The seq an entry id already has in this log, if any. */
  seqOf(id: string): Promise<number | undefined>
  /** `seqOf` of many ids in one read, when the log can (a batch's ids: one trip to LevelDB). */
  seqsOf?(ids: string[]): Promise<(number | undefined)[]>
}

/**
 * Checks a batch the relay sent, in order, before any of it is applied. Entries at or below
 * `head` are ours already (a catch-up may send one twice) and are skipped, as the store skips
 * them. An account created or given keys earlier in the batch signs the entries after it. The
 * log's history may hold accounts from before account keys (`newAccountsNeedKeys` is the
 * relay's rule, not this); what an honest relay never sends is refused: an id the log has at
 * another seq (a replay), a second account of a name (it would bring keys to sign as its
 * owner), an entry by a name with no account.
 */
export async function checkBatch(
  entries: Entry[],
  directory: LogDirectory,
  head: number,
  onFallback?: (err: Error) => void,
  ahead?: AnswersAhead,
): Promise<BatchVerdict> {
  const due = await batchRules(entries, directory, head)
  if (!ahead) return signaturesHold(due, await verifyAll(due.jobs, onFallback))
  // Checks sent ahead for these very (text, key, signature) triples answer; the rest are checked now.
  const early = await Promise.all(due.checks.flatMap(({ entry, check }) => (check ? [ahead.answer(entry, check)] : [])))
  const lateValid = await verifyAll(
    due.jobs.filter((_, i) => early[i] === undefined),
    onFallback,
  )
  let next = 0
  return signaturesHold(
    due,
    early.map((answer) => answer ?? lateValid[next++]!),
  )
}

/** Answers to checks sent ahead of their batch (verify-ahead.ts), for exactly the same check; undefined for any other. */
export interface AnswersAhead {
  answer(entry: Entry, job: SignatureJob): Promise<boolean | undefined>
}

/**
 * The checks `entries` will most likely need, without the rule book: each against the key its
 * author has in `directory` or publishes earlier among `entries`. What the rules would refuse
 * outright is left out; a guess that is wrong costs a check later, never a wrong answer
 * (verify-ahead.ts answers only the very same check).
 */
export async function likelyChecks(entries: Entry[], directory: KeyDirectory): Promise<{ entry: Entry; job: SignatureJob }[]> {
  const fresh = new Map<string, { keys?: AccountKeys }>()
  const known = new Map<string, Promise<{ keys?: AccountKeys } | undefined>>()
  const overlay: KeyDirectory = {
    account: (username) => {
      const key = username.toLowerCase()
      const found = fresh.get(key)
      if (found) return Promise.resolve(found)
      let stored = known.get(key)
      if (!stored) {
        stored = directory.account(username)
        known.set(key, stored)
      }
      return stored
    },
  }
  const out: { entry: Entry; job: SignatureJob }[] = []
  for (const entry of entries) {
    const due = await signatureDue(entry, overlay, { newAccountsNeedKeys: false })
    const job = 'check' in due && due.check ? jobOf(entry, due.check.key, true) : null
    if (job) out.push({ entry, job })
    const body = entry.body
    if (body.type === 'account.created' || body.type === 'account.keys') {
      fresh.set(body.username.toLowerCase(), body.keys ? { keys: body.keys } : {})
    }
  }
  return out
}

/** What the rule book says of a batch before any signature is checked (`batchRules`). */
export interface BatchDue {
  /** Each entry that must be signed, in order, with who must have signed it and the check. */
  checks: { entry: Entry; actor: string; check: SignatureJob | null }[]
  /** The signatures to check, in the order of `checks` (those with a check). */
  jobs: SignatureJob[]
  /** The first entry the rules refuse outright, if any: nothing after it was looked at. */
  refusal: { ok: false; entry: Entry; code: ErrorCode; message: string } | null
}

/**
 * The first half of `checkBatch`: the rules, in order, with the store's reads. Who must have
 * signed each entry depends only on the entries before it, not on whether their signatures
 * hold (if one does not, the whole batch is refused anyway): so the rules run in order first,
 * and every signature can then be checked at once (`signaturesHold`).
 */
export async function batchRules(entries: Entry[], directory: LogDirectory, head: number): Promise<BatchDue> {
  const fresh = new Map<string, { keys?: AccountKeys }>()
  const ids = new Set<string>()
  // A batch is mostly a few people's entries: each account is read from the store once.
  const known = new Map<string, Promise<{ keys?: AccountKeys } | undefined>>()
  const stored = (username: string) => {
    const key = username.toLowerCase()
    let found = known.get(key)
    if (!found) {
      found = directory.account(username)
      known.set(key, found)
    }
    return found
  }
  const overlay: KeyDirectory = {
    account: async (username) => fresh.get(username.toLowerCase()) ?? stored(username),
  }
  const pending = entries.filter((e) => e.seq > head)
  // One read for the whole batch's ids, not one each: the log holds none of them when honest.
  const seqs = directory.seqsOf ? await directory.seqsOf(pending.map((e) => e.id)) : null
  const checks: BatchDue['checks'] = []
  let refusal: BatchDue['refusal'] = null
  for (const [i, entry] of pending.entries()) {
    const seq = ids.has(entry.id) ? entry.seq : seqs ? seqs[i] : await directory.seqOf(entry.id)
    const refused = await refusedOutright(entry, seq, overlay)
    if (refused) {
      refusal = { ok: false, entry, ...refused }
      break
    }
    const due = await signatureDue(entry, overlay, { newAccountsNeedKeys: false })
    if (!('check' in due)) {
      if (!due.ok) {
        refusal = { ...due, entry }
        break
      }
    } else checks.push({ entry, ...due })
    ids.add(entry.id)
    const body = entry.body
    if (body.type === 'account.created' || body.type === 'account.keys') {
      fresh.set(body.username.toLowerCase(), body.keys ? { keys: body.keys } : {})
    }
  }
  return { checks, jobs: checks.flatMap((c) => (c.check ? [c.check] : [])), refusal }
}

/** The second half of `checkBatch`: `valid` answers `due.jobs`; the first entry that fails either way is the one reported. */
export function signaturesHold(due: BatchDue, valid: boolean[]): BatchVerdict {
  let next = 0
  for (const { entry, actor, check } of due.checks) {
    if (check && valid[next++]) continue
    return { ...unsigned(actor, check), entry }
  }
  return due.refusal ?? { ok: true }
}

async function refusedOutright(
  entry: Entry,
  seq: number | undefined,
  overlay: KeyDirectory,
): Promise<{ code: ErrorCode; message: string } | null> {
  if (seq !== undefined)
    return { code: 'claim_absurd', message: `Entry ${entry.id} is in the log already (seq ${seq}); an entry is ordered once.` }
  const body = entry.body
  const actor = actorOf(body)
  const account = await overlay.account(actor)
  if (body.type === 'account.created') {
    return account
      ? { code: 'username_taken', message: `The account "${actor}" exists already; a second one is not taken from a relay.` }
      : null
  }
  return account ? null : { code: 'unknown_author', message: `No account "${actor}" exists in this log.` }
}
