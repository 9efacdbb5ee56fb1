/**
 * Which SO-CHAT build a scenario runs: this tree's (`after (TLS)`), or with
 * `--compare-build DIR` an older tree built in place (`before (plain)`, e.g. a worktree at
 * 4bb4a15, the last commit before encrypted links). A build before issue 13 speaks plain ws
 * and HTTP on the peer port and takes no network key; the bench then talks to it the old way.
 */
import { existsSync, readFileSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { PROTOCOL_VERSION } from '../shared/index.js'
import type { BenchAccount, Target } from './loadgen-protocol.js'
import { writeKeyFile } from './machine.js'
import { type DaemonProcess, ROOT, startRelayProcess } from './proc.js'

export interface Build {
  label: string
  /** The repository root: `dist/daemon/cli.js` and `test/multihost/` are found under it. */
  root: string
  /** Links over TLS 1.3 with a network key (issue 13 and after). */
  tls: boolean
  /** The link protocol version its daemons speak (their hello must say it). */
  proto: number
}

export const CURRENT: Build = { label: 'after (TLS)', root: ROOT, tls: true, proto: PROTOCOL_VERSION }

/** The older build named on the command line: its repository root, or its dist/ directory. */
export function compareBuild(dir: string): Build {
  const abs = resolve(dir)
  const root = basename(abs) === 'dist' ? dirname(abs) : abs
  if (!existsSync(join(root, 'dist', 'daemon', 'cli.js'))) throw new Error(`${root}/dist/daemon/cli.js not built (npm run build there)`)
  // The peer port's 426 for plain HTTP (link/front.ts) is what issue 13 added.
  const tls = existsSync(join(root, 'dist', 'daemon', 'link', 'front.js'))
  // Its protocol version, as its built shared/limits.js says: a hello with ours is refused.
  const limits = readFileSync(join(root, 'dist', 'shared', 'limits.js'), 'utf8')
  const proto = Number(/PROTOCOL_VERSION = (\d+)/.exec(limits)?.[1] ?? PROTOCOL_VERSION)
  return { label: tls ? `${basename(root)} (TLS)` : 'before (plain)', root, tls, proto }
}

/**
 * A relay daemon process of `build` on a fresh data dir, and the link target the load
 * generators use for it: with a network key file for a TLS build, none for an older one.
 */
export async function startBuildRelay(
  build: Build,
  dataDir: string,
  opts: { nofile?: boolean; author?: string; account?: BenchAccount } = {},
): Promise<{ relay: DaemonProcess; target: Extract<Target, { kind: 'sochat' }> }> {
  const keyFile = build.tls ? writeKeyFile(join(dataDir, 'bench-network-key')) : undefined
  const relay = await startRelayProcess({
    dataDir,
    root: build.root,
    ...(opts.nofile ? { nofile: true } : {}),
    ...(keyFile ? { keyFile } : {}),
  })
  return {
    relay,
    target: {
      kind: 'sochat',
      port: relay.peerPort,
      proto: build.proto,
      ...(opts.author ? { author: opts.author } : {}),
      ...(opts.account ? { account: opts.account } : {}),
      ...(keyFile ? { keyFile } : {}),
    },
  }
}
