/**
 * The Network panel without the page: which group each machine falls in, what is said about
 * this machine, the network and each machine (in words a person at the desk can act on: "I
 * can't see bob's machine" is answered here), and which buttons a row offers. Tested in Node.
 */
import type { ForkReport, MachineAction, MachinesResponse, MachineView, NetworkView, SeenBy } from '../../../shared/index.js'

/**
 * A fork in words a person can act on: which machine, which term, what it may mean. The proof
 * (both signed statements) is in the daemon's log and its database.
 */
export function forkText(f: ForkReport): string {
  const who = f.name ? `${f.name} (${f.fingerprint})` : `The machine with fingerprint ${f.fingerprint}`
  return `${who} signed two different histories for term ${f.term} — it may be compromised. This machine no longer follows it as relay; check that machine, and remove it from the network if you do not trust it.`
}

export function forkTexts(list: MachinesResponse): string[] {
  return (list.forks ?? []).map(forkText)
}

export interface MachineGroups {
  me: MachineView | null
  asking: MachineView[]
  members: MachineView[]
  /** Refused and removed: shown, not hidden, so a person sees why a machine is not in. */
  turnedAway: MachineView[]
  /** Strangers and machines on an older SO-CHAT. */
  seen: MachineView[]
}

export type GroupName = Exclude<keyof MachineGroups, 'me'>

/** The panel's sections, in the order shown, with their headings. */
export const GROUPS: readonly { name: GroupName; title: string; empty: string }[] = [
  { name: 'asking', title: 'Asking to join', empty: 'No machine is asking to join.' },
  { name: 'members', title: 'Members', empty: 'No other member yet.' },
  { name: 'turnedAway', title: 'Refused or removed', empty: 'None.' },
  { name: 'seen', title: 'Seen but not members', empty: 'No other SO-CHAT machine seen.' },
]

const GROUP_OF: Record<MachineView['state'], GroupName | 'me'> = {
  this: 'me',
  member: 'members',
  asking: 'asking',
  refused: 'turnedAway',
  removed: 'turnedAway',
  stranger: 'seen',
  outdated: 'seen',
}

export function groupMachines(machines: readonly MachineView[]): MachineGroups {
  const groups: MachineGroups = { me: null, asking: [], members: [], turnedAway: [], seen: [] }
  const byName = [...machines].sort((a, b) => a.name.localeCompare(b.name) || a.nodeId.localeCompare(b.nodeId))
  for (const m of byName) {
    const group = GROUP_OF[m.state]
    if (group === 'me') groups.me = m
    else groups[group].push(m)
  }
  return groups
}

/** How this machine stands, in one sentence; the asking one tells the person what to compare. */
export function standingText(network: NetworkView, me: MachineView | null): string {
  switch (network.standing) {
    case 'member':
      return `Member of ${network.name}`
    case 'asking':
      return `Asking to join ${network.name} — compare this fingerprint with what a member sees: ${me?.fingerprint ?? 'unknown'}`
    case 'refused':
      return `Refused: a person on a member machine of ${network.name} turned this machine away. Ask them to let it in.`
    case 'alone':
      return 'Alone: no other machine found yet'
  }
}

export function openText(open: boolean): string {
  return open
    ? 'Open: any SO-CHAT machine that finds this network joins it. Links are still encrypted.'
    : 'Closed: only machines that hold the network key, or that a person let in, join it.'
}

export function toggleLabel(open: boolean): string {
  return open ? 'Close network' : 'Open network'
}

/**
 * The buttons a row offers. A machine without the key can let no one in nor remove anyone
 * (the daemon would answer `not_network_member`), so it is offered nothing.
 */
export function rowActions(machine: MachineView, network: NetworkView): MachineAction[] {
  if (network.standing !== 'member') return []
  if (machine.state === 'asking') return ['admit', 'refuse']
  if (machine.state === 'member') return ['remove']
  return []
}

const ACTION_LABELS: Record<MachineAction, string> = { admit: 'Let in', refuse: 'Refuse', remove: 'Remove' }

export function actionLabel(action: MachineAction): string {
  return ACTION_LABELS[action]
}

/** Said (aria-live) once the daemon has done it. */
export function actionDone(action: MachineAction, name: string): string {
  if (action === 'admit') return `${name} was let in and is now a member.`
  if (action === 'refuse') return `${name} was refused.`
  return `${name} was removed; the network key was replaced.`
}

/** The confirm step of Remove: what it does, before it is done. */
export function removeWarning(name: string): string {
  return `Remove ${name}? It is cut off at once; the network key is replaced, so the key it holds opens nothing any more.`
}

/**
 * The row's condition in words: the daemon's problem first (it knows more), else what its
 * state means for the person.
 */
export function conditionText(m: MachineView, unlisted = 0): string {
  if (m.state === 'outdated') return `Runs an older SO-CHAT: update it${m.problem ? ` (${m.problem})` : ''}.`
  if (m.problem) return m.problem
  switch (m.state) {
    case 'this':
    case 'member':
      if (m.linked) return 'Linked'
      // On a large network the relay names only some machines to this one: silence is not news.
      return unlisted > 0 ? 'Not named by the relay, which lists only machines with people on them here' : 'Not linked right now'
    case 'asking':
      return 'Asks to join: compare its fingerprint with the one on its screen before letting it in.'
    case 'refused':
      return 'Refused; it may ask again.'
    case 'removed':
      return 'Removed; the key it held no longer opens anything.'
    case 'stranger':
      return 'Has not asked to join and holds no key for this network.'
  }
}

/** Below the members: the machines the relay counts but does not name to this one; null when it names them all. */
export function unlistedText(unlisted: number): string | null {
  if (unlisted <= 0) return null
  const machines = unlisted === 1 ? '1 more machine is' : `${unlisted.toLocaleString('en')} more machines are`
  return `${machines} linked to the relay with nobody on them: counted, not listed.`
}

/** How this machine learnt of it: the first thing to look at when a machine is missing. */
export function seenByText(seenBy: readonly SeenBy[], iface: string | null): string {
  const how = seenBy.map((s) => {
    if (s === 'mdns') return iface ? `seen by mDNS on interface ${iface}` : 'seen by mDNS'
    if (s === 'static') return 'address given'
    if (s === 'roster') return 'via the relay'
    if (s === 'asked') return 'asked this machine to join'
    return 'linked to this machine'
  })
  return how.length ? capitalise(how.join(', ')) : 'Not seen directly'
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

export function lastSeenText(lastSeen: number | null, now: number): string {
  if (lastSeen === null) return 'Never heard from'
  const ago = now - lastSeen
  if (ago < MINUTE) return 'Last seen just now'
  if (ago < HOUR) return `Last seen ${plural(Math.floor(ago / MINUTE), 'minute')} ago`
  if (ago < DAY) return `Last seen ${plural(Math.floor(ago / HOUR), 'hour')} ago`
  return `Last seen ${plural(Math.floor(ago / DAY), 'day')} ago`
}

/** Names of machines that ask to join now and did not in `before`: worth announcing. */
export function newlyAsking(before: MachinesResponse | null, after: MachinesResponse): string[] {
  const asked = new Set(before?.machines.filter((m) => m.state === 'asking').map((m) => m.nodeId))
  return after.machines.filter((m) => m.state === 'asking' && !asked.has(m.nodeId)).map((m) => m.name)
}

/** The sidebar button's words beside "Network": only when someone waits for a person. */
export function askingBadge(list: MachinesResponse | null): string {
  const n = list && list.network.standing === 'member' ? list.machines.filter((m) => m.state === 'asking').length : 0
  return n === 0 ? '' : `${n} asking to join`
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}
