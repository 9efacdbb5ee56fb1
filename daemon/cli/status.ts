/** `sochat status`: what the running daemon says about itself, for a person or as JSON. */
import type { Status } from '../../shared/index.js'
import { socketPath } from '../config/index.js'
import { getJson } from './control.js'
import { reachLines } from './reach.js'

export async function printStatus(dataDir: string, json: boolean): Promise<number> {
  const s = await getJson<Status>(socketPath(dataDir), '/api/v1/status')
  if (json) {
    console.log(JSON.stringify(s))
    return 0
  }
  const relay = s.role === 'relay' ? 'this machine' : (s.relayName ?? 'none yet')
  console.log(`${s.name} (${s.nodeId}) is ${s.role}; relay: ${relay}; term ${s.term}; log head ${s.head}`)
  console.log(`page: ${s.ui}; peers: ${peersText(s)}; online: ${s.online.join(', ') || 'nobody'}`)
  console.log(`fingerprint: ${s.fingerprint}`)
  for (const line of reachLines(s.reach, s.startedAt, Date.now())) console.log(line)
  return 0
}

/** Names shown on the peers line; a relay of a large network lists thousands. */
const NAMES_SHOWN = 20

/** The other machines by name, at most NAMES_SHOWN, then how many more (named or only counted: roster-scope.ts). */
export function peersText(s: Pick<Status, 'peers' | 'machines'>): string {
  if (s.peers.length === 0 && s.machines <= 1) return 'none'
  const names = s.peers.slice(0, NAMES_SHOWN).map((p) => p.name)
  const more = Math.max(0, s.machines - 1 - names.length)
  return names.join(', ') + (more === 0 ? '' : `${names.length > 0 ? ' and ' : ''}${more} more`)
}
