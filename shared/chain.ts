/**
 * The order of the log, made checkable (issue 14, item 3). Authors sign what they write
 * (signing.ts); the relay signs where it put it. Two standard pieces:
 *
 * 1. A SHA-256 hash chain over the log (the construction of RFC 6962's and git's history
 *    hashes, linear rather than a tree):
 *
 *      chain(0)   = SHA-256(CHAIN_CONTEXT)
 *      chain(seq) = SHA-256(chain(seq - 1) ‖ SHA-256(entryText(entry at seq)))
 *
 *    where entryText is the whole Entry (seq, term and the author's sig included) in the JSON
 *    Canonicalization Scheme (RFC 8785, the `canonicalize` package): two replicas with the
 *    same chain(seq) hold the same first seq entries, byte for byte, whoever serialised them.
 *
 * 2. An order statement: the relay's Ed25519 signature (RFC 8032) with its machine key, the one
 *    its TLS certificate carries, over `statementText` — a context line, then
 *    {network, relayId, term, seq, chain} in RFC 8785 form. "In network N, relay R, in term T,
 *    put the log up to seq in the order whose chain is C." A follower that computes the same C
 *    from its own log holds that prefix exactly; two such statements of one key and one term
 *    that cannot both be true are a fork, and the two statements are its proof.
 *
 * The hashing itself needs node:crypto, which the page (it imports shared/index.ts) has not:
 * it lives in daemon/replica/chain.ts. Here are only the bytes and the schema.
 */
import canonicalize from 'canonicalize'
import * as z from 'zod'
import { type Entry, NodeId } from './entries.js'
import { MAX_SEQ, MAX_TERM } from './limits.js'

/** Changing how the chain is made means a new context, so chain(0) differs and nothing old matches. */
export const CHAIN_CONTEXT = 'SO-CHAT log chain v1\n'
/** What a relay signs; a new meaning gets a new line, so an old signature never verifies it. */
export const ORDER_STATEMENT_CONTEXT = 'SO-CHAT order statement v1\n'

/** 32 bytes as 64 lower-case hex digits. */
export const ChainHash = z.string().regex(/^[0-9a-f]{64}$/, 'a chain hash is 64 lower-case hex digits')

export const OrderStatement = z.object({
  network: z.string().max(63),
  relayId: NodeId,
  term: z.number().int().positive().max(MAX_TERM),
  seq: z.number().int().nonnegative().max(MAX_SEQ),
  chain: ChainHash,
  /** Ed25519 over statementText, base64 (64 bytes). */
  sig: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'an Ed25519 signature is 64 bytes in base64'),
})
export type OrderStatement = z.infer<typeof OrderStatement>
export type UnsignedStatement = Omit<OrderStatement, 'sig'>

/** Marks the one case RFC 8785 has no form for, so it can never hash like an entry that has one. */
export const LONE_SURROGATE_CONTEXT = 'SO-CHAT entry with a lone surrogate v1\n'

/**
 * The bytes an entry contributes to the chain: all of it, canonical. Never throws for a parsed
 * Entry: a string with a lone surrogate (half of an emoji's UTF-16 pair; JSON can carry one as
 * an escape) has no RFC 8785 form, and an old unsigned entry may hold one. Such an entry is
 * hashed as its canonical form with each lone surrogate written as its JSON escape, behind a
 * context line of its own, so it differs from every entry that has a canonical form.
 */
export function entryText(entry: Entry): string {
  try {
    const canonical = canonicalize(entry)
    // A parsed Entry is plain JSON; only undefined or a function at the top has no form.
    if (canonical === undefined) throw new TypeError('an entry has no canonical form')
    return canonical
  } catch (err) {
    if (!(err instanceof Error) || !/Lone surrogate/i.test(err.message)) throw err
    return LONE_SURROGATE_CONTEXT + canonicalize(escapeLoneSurrogates(entry))
  }
}

function escapeLoneSurrogates(value: unknown): unknown {
  if (typeof value === 'string')
    return value.replace(
      /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16)}`,
    )
  if (Array.isArray(value)) return value.map(escapeLoneSurrogates)
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [escapeLoneSurrogates(k), escapeLoneSurrogates(v)]))
  return value
}

export function statementText(s: UnsignedStatement): string {
  const canonical = canonicalize({ network: s.network, relayId: s.relayId, term: s.term, seq: s.seq, chain: s.chain })
  if (canonical === undefined) throw new TypeError('a statement has no canonical form')
  return ORDER_STATEMENT_CONTEXT + canonical
}
