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
import { sign, verify, type KeyObject } from 'node:crypto'
import { actorOf, signedText, type AccountKeys, type Entry, type ErrorCode, type Signable, type Submission } from '../../shared/index.js'
import { type AccountSecrets, publicKeyOf, signingKeyOf } from './keys.js'

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
  return sign(null, Buffer.from(signedText(s), 'utf8'), signingKeyOf(secrets.sign, keys.sign)).toString('base64url')
}

const parsed = new Map<string, KeyObject>()
const PARSED_MAX = 4096

function publicKey(raw: string): KeyObject {
  let key = parsed.get(raw)
  if (!key) {
    if (parsed.size >= PARSED_MAX) parsed.clear()
    key = publicKeyOf('ed25519', Buffer.from(raw, 'base64url'))
    parsed.set(raw, key)
  }
  return key
}

export function signatureValid(s: Submission, signKey: string): boolean {
  if (!s.sig) return false
  return verify(null, Buffer.from(signedText(s), 'utf8'), publicKey(signKey), Buffer.from(s.sig, 'base64url'))
}

export async function checkSignature(s: Submission, directory: KeyDirectory, rules: SignatureRules): Promise<SignatureVerdict> {
  const actor = actorOf(s.body)
  const body = s.body
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

function signedBy(s: Submission, actor: string, signKey: string): SignatureVerdict {
  if (!s.sig) return refuse('signature_required', `Entries by "${actor}" must be signed with their key; this one is not.`)
  if (!signatureValid(s, signKey))
    return refuse('bad_signature', `This is not signed by "${actor}": it was changed, or made by someone else in their name.`)
  return OK
}

function refuse(code: ErrorCode, message: string): SignatureVerdict {
  return { ok: false, code, message }
}

export type BatchVerdict = { ok: true } | { ok: false; entry: Entry; code: ErrorCode; message: string }

/**
 * Checks a batch the relay sent, in order, before any of it is applied: an account created or
 * given keys earlier in the batch signs the entries after it. The log's history may hold
 * accounts from before account keys (`newAccountsNeedKeys` is the relay's rule, not this).
 */
export async function checkBatch(entries: Entry[], directory: KeyDirectory): Promise<BatchVerdict> {
  const fresh = new Map<string, { keys?: AccountKeys }>()
  const overlay: KeyDirectory = {
    account: async (username) => fresh.get(username.toLowerCase()) ?? directory.account(username),
  }
  for (const entry of entries) {
    const body = entry.body
    // An honest relay never orders a second account of a name (rooms/rules.ts); one that does
    // would give the name new keys and sign as its owner with them.
    if (body.type === 'account.created' && (await overlay.account(body.username))) {
      return { ok: false, entry, code: 'username_taken', message: `The account "${body.username}" exists already; a second one is not taken from a relay.` }
    }
    const verdict = await checkSignature(entry, overlay, { newAccountsNeedKeys: false })
    if (!verdict.ok) return { ...verdict, entry }
    if (body.type === 'account.created' || body.type === 'account.keys') {
      fresh.set(body.username.toLowerCase(), body.keys ? { keys: body.keys } : {})
    }
  }
  return { ok: true }
}
