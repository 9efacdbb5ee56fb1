/**
 * What signing the order costs (issue 14, item 3), in this process: one step of the SHA-256
 * hash chain (the entry in RFC 8785 form, hashed, then hashed with the chain before it), which
 * every replica pays once per entry it writes and a log from before the chain pays at its first
 * open; signing an order statement (Ed25519), which the relay pays once per frame; checking one,
 * which a follower pays once per frame. The daemons' own figures are fanout's and catchup's.
 */
import { generateKeyPairSync } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { signStatement, statementSignedBy } from '../daemon/replica/statements.js'
import { chainOver, GENESIS } from '../daemon/store/index.js'
import type { Entry, OrderStatement } from '../shared/index.js'

export interface OrderCosts {
  entries: number
  chainUs: number
  statements: number
  signUs: number
  verifyUs: number
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits

export function orderCosts(opts: { entries: number; statements: number }): OrderCosts {
  // A signed chat line as the log holds it: 86 characters of signature, a line of text.
  const entries: Entry[] = Array.from({ length: opts.entries }, (_, i) => ({
    id: `bench-${String(i).padStart(8, '0')}`,
    ts: 1_700_000_000_000 + i,
    origin: '0123456789abcdef',
    body: { type: 'message.posted', room: 'general', author: 'bench', text: `message ${i} of the benchmark, about as long as a chat line` },
    sig: 'A'.repeat(86),
    seq: i + 1,
    term: 1,
  }))
  let started = performance.now()
  const values = chainOver(GENESIS, entries)
  const chainUs = ((performance.now() - started) * 1000) / opts.entries
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const say = (seq: number) => ({ network: 'bench', relayId: '0123456789abcdef', term: 1, seq, chain: values[seq % values.length]! })
  started = performance.now()
  const signed: OrderStatement[] = []
  for (let i = 0; i < opts.statements; i++) signed.push(signStatement(say(i), privateKey))
  const signUs = ((performance.now() - started) * 1000) / opts.statements
  started = performance.now()
  for (const s of signed) if (!statementSignedBy(s, publicKey)) throw new Error('a statement the bench signed did not verify')
  const verifyUs = ((performance.now() - started) * 1000) / opts.statements
  return { entries: opts.entries, chainUs: round(chainUs), statements: opts.statements, signUs: round(signUs), verifyUs: round(verifyUs) }
}
