/**
 * A Coordinator (daemon/roles/coordinator.ts) on a real store, with stand-ins for what it talks
 * to: no mDNS, no links, no outbox. The election tests drive its private steps themselves, as
 * its tick and its client session would, so the test is the clock. Each test gives only what
 * its story needs: the adverts the directory returns, the discovery window's state, the saved
 * term; the log's lines are kept for tests that read them.
 */
import { join } from 'node:path'
import pino from 'pino'
import type { Test } from 'tap'
import type { Advert } from '../../shared/index.js'
import { DiscoveryWindow } from '../../daemon/discovery/index.js'
import { Replica } from '../../daemon/replica/index.js'
import { Coordinator } from '../../daemon/roles/index.js'
import type { CoordinatorDeps } from '../../daemon/roles/deps.js'
import { Store } from '../../daemon/store/index.js'

export const STAND_IN_ME = { nodeId: 'a'.repeat(16), name: 'me', network: 'lab', startedAt: 1, peerPort: 47801 }

export interface StandInOptions {
  me?: typeof STAND_IN_ME
  /** What the directory has heard (alive and seen alike). */
  adverts?: Advert[]
  /** Overrides of the directory's stand-in methods. */
  directory?: Record<string, unknown>
  /** 'nothing': the window after start is over; 'peers': still looking. */
  window?: ConstructorParameters<typeof DiscoveryWindow>[0]
  savedTerm?: number
}

export async function standInCoordinator(t: Test, opts: StandInOptions = {}) {
  const store = await Store.open(join(t.testdir(), 'db'))
  const saved: number[] = []
  const lines: Record<string, unknown>[] = []
  const adverts = opts.adverts ?? []
  const deps = {
    me: opts.me ?? STAND_IN_ME,
    replica: new Replica(store),
    outbox: { setRoute: () => undefined, rejected: async () => undefined },
    directory: {
      markUnreachable: () => undefined,
      probeAll: async () => undefined,
      alive: () => adverts,
      seen: () => adverts,
      answeringHosts: () => new Set<string>(),
      addressOf: () => null,
      ...opts.directory,
    },
    discoveryWindow: new DiscoveryWindow(opts.window ?? 'nothing'),
    log: pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s)) }),
    localPresence: () => ({ users: [], away: [] }),
    hasBlob: async () => false,
    maxFileBytes: 1024,
    savedTerm: opts.savedTerm ?? 1,
    saveTerm: async (term: number) => void saved.push(term),
  } as unknown as CoordinatorDeps
  const coordinator = new Coordinator(deps)
  t.teardown(async () => {
    coordinator.relay?.stop('test over')
    await store.close()
  })
  return { coordinator, saved, lines }
}
