import type { AccountCreated } from '../shared/index.js'
/** The IPC messages between the benchmark and its load-generator processes (loadgen.ts). */
export type Target =
  /**
   * A SO-CHAT client link. With `keyFile` (the relay's network key): TLS 1.3, a machine
   * identity per link and the key's proof, as since issue 13; without it the plain ws link of
   * builds before that (random node id), for `--compare-build`.
   */
  | { kind: 'sochat'; port: number; author?: string; keyFile?: string; proto?: number; account?: BenchAccount }
  | { kind: 'ws'; port: number }
  | { kind: 'mqtt'; port: number; qos?: 0 | 1 }

/**
 * The account the publisher posts as, for builds whose entries are signed (protocol 5, issue
 * 14): its keys in base64url; the publisher submits its `account.created` (signed with them) on
 * its link, then signs every message.
 */
export interface BenchAccount {
  username: string
  /** The private keys: Ed25519 seed, X25519 key. */
  sign: string
  box: string
  created: AccountCreated
}

export type Cmd =
  | { cmd: 'prepare'; target: Target; count: number }
  | { cmd: 'connect'; target: Target; count: number; addresses: string[]; publisher?: boolean }
  | { cmd: 'expect'; phase: string; messages: number; latency: boolean }
  | { cmd: 'publish'; phase: string; messages: number; window: number; rate?: number }
  | { cmd: 'report' }
  | { cmd: 'exit' }

export type Report =
  | { ev: 'connected'; count: number; ms: number; failed: number; firstError?: string }
  | { ev: 'ready' }
  | { ev: 'prepared' }
  | { ev: 'done' }
  | { ev: 'published'; start: number; sent: number; acks: number; rejects: number }
  | { ev: 'report'; counts: number[]; sums: number[]; last: number; lat: number[] }
  | { ev: 'error'; message: string }
