import type { DiskState, PeerStatus, Presence, Reach, Status } from '../shared/index.js'
import type { PeerDirectory } from './discovery/index.js'
import type { Coordinator, Identity } from './roles/index.js'

/** What `GET /api/v1/status` and `sochat status` show: role, relay, peers, who is online or away. */
export function buildStatus(
  coordinator: Coordinator,
  me: Identity & { fingerprint: string },
  network: string,
  ui: string,
  head: number,
  local: Pick<Presence, 'users' | 'away'>,
  directory: PeerDirectory,
  reach: Reach,
  disk: DiskState,
): Status {
  const roster = coordinator.roster
  const peers: PeerStatus[] = roster
    ? roster.peers
        .filter((p) => p.nodeId !== me.nodeId)
        .map((p) => ({
          // The relay lists itself without a host (it cannot know how others reach it).
          nodeId: p.nodeId,
          name: p.name,
          host: p.host || (directory.addressOf(p.nodeId)?.host ?? ''),
          peerPort: p.peerPort,
          head: p.head,
          users: p.users,
          away: p.away,
        }))
    : directory.alive().map((a) => ({
        nodeId: a.nodeId,
        name: a.name,
        host: directory.addressOf(a.nodeId)?.host ?? '',
        peerPort: a.peerPort,
        head: a.head,
        users: [],
        away: [],
      }))
  // Online if a page is open anywhere; away only if away on every machine they are on. This
  // machine's own line in the roster may be a second old: what it knows itself wins.
  const machines = [local, ...(roster?.peers ?? []).filter((p) => p.nodeId !== me.nodeId)]
  const online = new Set(machines.flatMap((m) => m.users))
  const active = new Set(machines.flatMap((m) => m.users.filter((u) => !m.away.includes(u))))
  const away = [...online].filter((u) => !active.has(u)).sort()
  const relayId = coordinator.relayId
  // Right after joining, before the first roster, the relay's advert still knows its name.
  const relayName =
    relayId === me.nodeId
      ? me.name
      : (roster?.peers.find((p) => p.nodeId === relayId)?.name ?? directory.alive().find((a) => a.nodeId === relayId)?.name ?? null)
  return {
    nodeId: me.nodeId,
    name: me.name,
    fingerprint: me.fingerprint,
    network,
    role: coordinator.role,
    term: coordinator.term,
    relayId,
    relayName,
    head,
    peers,
    machines: roster ? roster.machines : peers.length + 1,
    online: [...online].sort(),
    away,
    ui,
    peerPort: me.peerPort,
    startedAt: me.startedAt,
    maxFileBytes: coordinator.maxFileBytes,
    reach,
    disk,
  }
}
