/**
 * The Network panel's door into admission (issue 13): what the machines routes
 * (routes/machines.ts) ask, and the hint that tells open pages to ask again. The desk itself
 * is daemon/admission's; http only passes a signed-in person's request on, with their name.
 */
import type { MachineAction, MachinesResponse, MachineView, NetworkView } from '../../shared/index.js'
import type { PageSockets } from './page-sockets.js'

export interface MachineDesk {
  /** The network as this machine sees it: its standing, open or closed, every machine it knows. */
  list(): MachinesResponse
  /**
   * A person at this machine lets a machine in, refuses it, or removes a member; `by` is their
   * username (for the log and the other members' pages). Answers the machine as it is after.
   * Throws a SochatError (daemon/errors): `machine_unknown` for a node id it has not seen,
   * `machine_state` when the action does not fit the machine's state (admit a member, remove
   * a stranger), `not_network_member` when this machine has no key to let anyone in with.
   */
  act(nodeId: string, action: MachineAction, by: string): Promise<MachineView>
  /**
   * Opens or closes the network. Throws `not_network_member` when this machine holds no key.
   * Opening twice is not an error: the answer says how it stands.
   */
  setOpen(open: boolean, by: string): Promise<NetworkView>
}

/** A burst of changes (mDNS answers arrive in dozens) sends one hint, not dozens. */
const HINT_AFTER_MS = 250

/**
 * What the desk calls when its list changed: open pages get `{type: 'machines'}` and refetch.
 * One hint per burst; the first change of a burst is never held longer than HINT_AFTER_MS.
 */
export function machinesChangedHint(pages: Pick<PageSockets, 'broadcast'>, afterMs = HINT_AFTER_MS): () => void {
  let timer: NodeJS.Timeout | null = null
  return () => {
    if (timer) return
    timer = setTimeout(() => {
      timer = null
      pages.broadcast({ type: 'machines' })
    }, afterMs)
    timer.unref()
  }
}
