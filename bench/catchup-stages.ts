/**
 * Where a catch-up's time goes on the replica (issue 18), in this process: N signed
 * `message.posted` entries of one account, in frames of 2,000 as a relay sends them, through
 * the follower's steps one after another, each timed: the rule book's reads (`checkBatch`
 * without its signatures), the signatures on every core (verify-pool.ts), the hash chain
 * (chain.ts) and `Replica.append` (views, then one synced LevelDB batch). No link, no relay,
 * no search index: the catchup scenario is the whole; this says which part of it is which.
 * `npx tsx bench/catchup-stages.ts [entries]`
 */
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { batchRules, signaturesHold, signEntry, verifyAll } from '../daemon/accounts/index.js'
import { newAccountSecrets, publicKeysOf, wrapKeys } from '../daemon/accounts/keys.js'
import { Replica } from '../daemon/replica/index.js'
import { chainOver, Store } from '../daemon/store/index.js'
import type { Entry } from '../shared/index.js'
import { tempDir } from './proc.js'

const FRAME = 2000

export async function signedLog(n: number): Promise<Entry[]> {
  const secrets = newAccountSecrets()
  const keys = publicKeysOf(secrets)
  const wrapped = await wrapKeys(secrets, 'bench lamp orbit velvet', 'bench')
  const origin = '0123456789abcdef'
  const created: Entry = {
    id: 'bench-account',
    ts: 1,
    origin,
    body: { type: 'account.created', username: 'bench', keys, wrapped },
    seq: 1,
    term: 1,
  }
  created.sig = signEntry(created, secrets, keys)
  const out = [created]
  for (let i = 0; i < n - 1; i++) {
    const s = {
      id: `bench-${String(i).padStart(8, '0')}`,
      ts: 1_700_000_000_000 + i,
      origin,
      body: { type: 'message.posted' as const, room: 'general', author: 'bench', text: `catch-up ${i}` },
    }
    out.push({ ...s, sig: signEntry(s, secrets, keys), seq: i + 2, term: 1 })
  }
  return out
}

export async function stages(entries: Entry[]): Promise<Record<string, number>> {
  const tmp = tempDir('sochat-catchup-stages-')
  const store = await Store.open(join(tmp.dir, 'db'))
  const replica = new Replica(store)
  const ms: Record<string, number> = { rules: 0, signatures: 0, chain: 0, append: 0 }
  const directory = {
    account: (u: string) => store.views.account(u),
    seqOf: (id: string) => store.log.seqOf(id),
    seqsOf: (ids: string[]) => store.log.seqsOf(ids),
  }
  const timed = async <T>(stage: string, run: () => Promise<T> | T): Promise<T> => {
    const t = performance.now()
    const out = await run()
    ms[stage]! += performance.now() - t
    return out
  }
  try {
    for (let at = 0; at < entries.length; at += FRAME) {
      const frame = entries.slice(at, at + FRAME)
      const due = await timed('rules', () => batchRules(frame, directory, replica.head))
      const verdict = signaturesHold(due, await timed('signatures', () => verifyAll(due.jobs)))
      if (!verdict.ok) throw new Error(verdict.message)
      await timed('chain', async () => chainOver((await store.log.chainAt(frame[0]!.seq - 1))!, frame))
      await timed('append', () => replica.append(frame))
    }
  } finally {
    await store.close()
    tmp.remove()
  }
  return ms
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 20_000)
  const entries = await signedLog(n)
  const t = performance.now()
  const ms = await stages(entries)
  const total = performance.now() - t
  const per = (x: number) => ((x / n) * 1000).toFixed(0)
  console.log(`${n} entries in ${total.toFixed(0)} ms (${Math.round(n / (total / 1000))} entries/s); ms per 1,000 entries:`)
  for (const [k, v] of Object.entries(ms)) console.log(`  ${k.padEnd(11)} ${per(v)}`)
}
