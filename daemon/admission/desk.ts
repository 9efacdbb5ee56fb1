/**
 * The Network panel's desk (daemon/http/machine-desk.ts): every machine this one knows, merged
 * by node id from what it has seen (discovery), who is linked (the relay's roster) and who
 * asked to join (admission.ts), and a person's decisions passed to admission.
 */
import type { MachineAction, MachinesResponse, MachineView, NetworkView, SeenBy } from '../../shared/index.js'
import { ConflictError, InputError } from '../errors/index.js'
import type { Admission } from './admission.js'

/** A machine discovery knows of (discovery/directory.ts `seen`), as far as the desk needs it. */
export interface SeenMachine {
  host: string
  source: 'mdns' | 'static' | 'roster'
  peer?: { nodeId: string; fingerprint: string }
  advert: { nodeId: string; name: string } | null
  member: boolean
  /** It answered without proving our key (discovery/directory.ts). */
  unproved?: boolean
  problem?: string
  outdated?: boolean
  heardAt: number
}

export interface DeskSources {
  self: { nodeId: string; name: string; fingerprint: string }
  network: string
  interfaceName: string | null
  seen: () => readonly SeenMachine[]
  /** Machines linked to the relay now (the roster), with the fingerprint when known. */
  linked: () => { nodeId: string; name: string; host: string; fingerprint?: string | undefined }[]
  /** Machines linked to the relay that its roster counts but does not name (`MachinesResponse.unlisted`). */
  unlisted: () => number
  /** Removes a member (admission/removal.ts); throws machine_unknown when its key is not known here. */
  remove: (nodeId: string, by: string) => Promise<void>
}

export class NetworkDesk {
  constructor(
    private readonly admission: Admission,
    private readonly sources: DeskSources,
  ) {}

  list(): MachinesResponse {
    return { network: this.networkView(), machines: [...this.machines().values()], unlisted: this.sources.unlisted() }
  }

  async act(nodeId: string, action: MachineAction, by: string): Promise<MachineView> {
    if (!this.admission.key())
      throw new ConflictError('not_network_member', 'This machine holds no network key yet, so it cannot let anyone in.')
    const machine = this.machines().get(nodeId)
    if (!machine) throw new InputError('machine_unknown', `No machine ${nodeId} is known here; it may have stopped asking.`)
    if (action === 'remove') {
      if (machine.state !== 'member') throw new ConflictError('machine_state', `${machine.name} is ${machine.state}, not a member.`)
      await this.sources.remove(nodeId, by)
      return this.machines().get(nodeId) ?? { ...machine, state: 'removed', linked: false }
    }
    if (machine.state !== 'asking' && machine.state !== 'refused')
      throw new ConflictError('machine_state', `${machine.name} is ${machine.state}, not asking to join.`)
    const decided = action === 'admit' ? this.admission.admit(nodeId, by) : this.admission.refuse(nodeId, by)
    if (!decided) throw new InputError('machine_unknown', `${machine.name} is no longer asking to join.`)
    return this.machines().get(nodeId) ?? machine
  }

  async setOpen(open: boolean, by: string): Promise<NetworkView> {
    if (!this.admission.key()) throw new ConflictError('not_network_member', 'This machine holds no network key yet.')
    await this.admission.setOpen(open, by)
    return this.networkView()
  }

  private networkView(): NetworkView {
    return {
      name: this.sources.network,
      open: this.admission.open,
      standing: this.admission.standing,
      interface: this.sources.interfaceName,
    }
  }

  private machines(): Map<string, MachineView> {
    const { self } = this.sources
    const out = new Map<string, MachineView>()
    const base = (nodeId: string, name: string, fingerprint: string): MachineView => ({
      nodeId,
      name,
      fingerprint,
      state: 'stranger',
      address: null,
      lastSeen: null,
      linked: false,
      problem: null,
      seenBy: [],
    })
    out.set(self.nodeId, { ...base(self.nodeId, self.name, self.fingerprint), state: 'this', lastSeen: Date.now() })
    for (const removed of this.admission.removed.all()) {
      out.set(removed.nodeId, {
        ...base(removed.nodeId, removed.name, removed.fingerprint),
        state: 'removed',
        linked: false,
        problem: `removed by ${removed.by}`,
      })
    }
    for (const seen of this.sources.seen()) this.mergeSeen(out, seen, base)
    for (const link of this.sources.linked()) {
      const known = out.get(link.nodeId) ?? base(link.nodeId, link.name, link.fingerprint ?? '')
      if (known.state === 'this' || known.state === 'removed') continue
      out.set(link.nodeId, {
        ...known,
        fingerprint: known.fingerprint || link.fingerprint || '',
        state: 'member',
        linked: true,
        problem: null,
        address: known.address ?? link.host,
        lastSeen: Date.now(),
      })
      addSeen(out.get(link.nodeId)!, 'roster')
    }
    for (const asking of this.admission.asking.all()) {
      const { peer } = asking
      const known = out.get(peer.nodeId) ?? base(peer.nodeId, asking.name, peer.fingerprint)
      if (known.state === 'this') continue
      if (known.state === 'member') {
        if (!known.fingerprint) known.fingerprint = peer.fingerprint // let in a moment ago, not probed yet
        continue
      }
      const state = asking.decision ? (asking.decision.admitted ? 'member' : 'refused') : 'asking'
      out.set(peer.nodeId, {
        ...known,
        name: asking.name,
        fingerprint: peer.fingerprint,
        state,
        address: asking.ip,
        lastSeen: asking.lastAsked,
      })
      addSeen(out.get(peer.nodeId)!, 'asked')
    }
    return out
  }

  private mergeSeen(out: Map<string, MachineView>, seen: SeenMachine, base: (id: string, name: string, fp: string) => MachineView): void {
    // Named by its key when it answered TLS; an older SO-CHAT only by what its mDNS record says.
    const nodeId = seen.peer?.nodeId ?? (seen.outdated ? seen.advert?.nodeId : undefined)
    if (!nodeId || nodeId === this.sources.self.nodeId) return
    const known = out.get(nodeId) ?? base(nodeId, seen.advert?.name ?? seen.host, seen.peer?.fingerprint ?? '')
    const state = known.state === 'removed' ? 'removed' : seen.outdated ? 'outdated' : seen.member ? 'member' : known.state
    const view: MachineView = {
      ...known,
      state,
      address: seen.host || known.address,
      lastSeen: Math.max(known.lastSeen ?? 0, seen.heardAt) || null,
      // Without a key of our own, a machine that holds one is not "not a member": it is the network we ask to join.
      problem:
        !this.admission.key() && seen.unproved ? 'holds the network this machine is asking to join' : (seen.problem ?? known.problem),
    }
    addSeen(view, seen.source)
    out.set(nodeId, view)
  }
}

function addSeen(view: MachineView, by: SeenBy): void {
  if (!view.seenBy.includes(by)) view.seenBy.push(by)
}
