/**
 * The Network panel (issue 13): a modal dialog opened from the sidebar's "Network" button that
 * shows this machine's standing, whether the network is open, and every machine it knows by
 * group, with Let in / Refuse / Remove. It reads GET /api/v1/machines when opened and on every
 * `machines` live event; the daemon decides, the panel only asks and shows the answer.
 */
import type { MachineAction, MachinesResponse, MachineView, NetworkView } from '../../../shared/index.js'
import type { Api } from '../app/api.js'
import { Dialog, el, errorText } from '../app/dom.js'
import { fingerprintLine, machineRow } from './machine-row.js'
import {
  actionDone,
  askingBadge,
  forkTexts,
  GROUPS,
  groupMachines,
  newlyAsking,
  openText,
  standingText,
  toggleLabel,
  unlistedText,
} from './network-model.js'

export interface NetworkParts {
  opener: HTMLButtonElement
  badge: HTMLElement
  dialog: HTMLDialogElement
  alert: HTMLElement
  /** A polite live region: what changed ("bob-laptop was let in.", "carol-pc asks to join."). */
  news: HTMLElement
  me: HTMLElement
  standing: HTMLElement
  openness: HTMLElement
  toggle: HTMLButtonElement
  groups: HTMLElement
}

export class NetworkPanel {
  private readonly dialog: Dialog
  private list: MachinesResponse | null = null
  private busy = false
  /** Whose Remove is being confirmed, so a live redraw does not drop the question (or focus). */
  private confirming: string | null = null

  constructor(
    private readonly api: Api,
    private readonly parts: NetworkParts,
    private readonly now: () => number = Date.now,
  ) {
    this.dialog = new Dialog(parts.dialog, parts.alert)
    parts.opener.addEventListener('click', () => void this.open())
    parts.toggle.addEventListener('click', () => void this.toggleOpen())
  }

  async open(): Promise<void> {
    this.parts.news.textContent = ''
    this.confirming = null
    this.dialog.open()
    if (!this.list) this.parts.groups.replaceChildren(el('p', 'hint', 'Loading…'))
    await this.load()
  }

  close(): void {
    this.confirming = null
    this.dialog.close()
  }

  /** The daemon says the list changed: read it again (the badge shows even with the panel closed). */
  changed(): void {
    void this.load()
  }

  /** Log-out: nothing of this network stays on screen for the next person. */
  reset(): void {
    this.close()
    this.list = null
    this.showBadge('')
    this.parts.groups.replaceChildren()
  }

  private async load(): Promise<void> {
    try {
      const list = await this.api.get<MachinesResponse>('/api/v1/machines')
      const asking = newlyAsking(this.list, list)
      if (this.list && asking.length) this.tell(`${asking.join(', ')} ${asking.length === 1 ? 'asks' : 'ask'} to join.`)
      this.show(list)
    } catch (err) {
      if (this.dialog.isOpen) this.dialog.say(`Could not list the machines: ${errorText(err)}`)
    }
  }

  private show(list: MachinesResponse): void {
    this.list = list
    this.showBadge(askingBadge(list))
    if (!this.dialog.isOpen) return
    this.dialog.say('')
    const focused = (document.activeElement as HTMLElement | null)?.dataset.focusKey
    const { network } = list
    const groups = groupMachines(list.machines)
    this.showMe(network, groups.me)
    this.parts.openness.textContent = openText(network.open)
    this.parts.toggle.textContent = toggleLabel(network.open)
    this.parts.toggle.setAttribute('aria-pressed', String(network.open))
    // Only a member holds the key it would open or close the network with.
    this.parts.toggle.hidden = network.standing !== 'member'
    const host = {
      act: (m: MachineView, a: MachineAction) => void this.act(m, a),
      now: this.now,
      confirming: this.confirming,
      setConfirming: (nodeId: string | null) => {
        this.confirming = nodeId
      },
      unlisted: list.unlisted,
    }
    this.parts.groups.replaceChildren(
      ...GROUPS.filter((g) => g.name !== 'turnedAway' || groups.turnedAway.length > 0).map((g) => {
        const section = el('section', `machine-group group-${g.name}`)
        const title = el('h3', 'machine-group-title', `${g.title} (${groups[g.name].length})`)
        title.id = `network-group-${g.name}`
        section.setAttribute('aria-labelledby', title.id)
        const ul = el('ul', 'machine-list')
        ul.setAttribute('aria-labelledby', title.id)
        ul.append(...groups[g.name].map((m) => machineRow(m, network, host)))
        if (!groups[g.name].length) ul.append(el('li', 'hint', g.empty))
        const unlisted = g.name === 'members' ? unlistedText(list.unlisted) : null
        if (unlisted) ul.append(el('li', 'hint machines-unlisted', unlisted))
        section.append(title, ul)
        return section
      }),
    )
    const forks = forkTexts(list)
    if (forks.length > 0) this.parts.groups.prepend(forkSection(forks))
    if (focused) this.parts.groups.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(focused)}"]`)?.focus()
  }

  private showMe(network: NetworkView, me: MachineView | null): void {
    const name = el('p', 'machine-name', me ? `${me.name} (this machine)` : 'This machine')
    this.parts.me.replaceChildren(name, ...(me ? [fingerprintLine(me.fingerprint)] : []))
    this.parts.standing.textContent = standingText(network, me)
    this.parts.standing.className = `network-standing is-${network.standing}`
  }

  private async act(machine: MachineView, action: MachineAction): Promise<void> {
    if (this.busy) return
    this.setBusy(true)
    this.confirming = null
    try {
      await this.api.post<{ machine: MachineView }>(`/api/v1/machines/${encodeURIComponent(machine.nodeId)}/${action}`, {})
      this.tell(actionDone(action, machine.name))
      await this.load()
      // The row moved to its new group; focus follows it so the keyboard is not lost at the top.
      this.parts.groups.querySelector<HTMLElement>(`[data-node="${CSS.escape(machine.nodeId)}"]`)?.focus()
    } catch (err) {
      this.dialog.say(`${machine.name}: ${errorText(err)}`)
    } finally {
      this.setBusy(false)
    }
  }

  private async toggleOpen(): Promise<void> {
    if (this.busy || !this.list) return
    this.setBusy(true)
    const open = !this.list.network.open
    try {
      await this.api.post<{ network: NetworkView }>('/api/v1/network', { open })
      this.tell(open ? 'The network is open.' : 'The network is closed.')
      await this.load()
    } catch (err) {
      this.dialog.say(errorText(err))
    } finally {
      this.setBusy(false)
    }
  }

  /** While a request is out: buttons stay focusable (no focus lost) but do nothing. */
  private setBusy(on: boolean): void {
    this.busy = on
    this.parts.dialog.setAttribute('aria-busy', String(on))
    for (const b of this.parts.dialog.querySelectorAll('button:not([data-close])')) {
      if (on) b.setAttribute('aria-disabled', 'true')
      else b.removeAttribute('aria-disabled')
    }
  }

  /** "Network, 1 asking to join": the badge's words are part of the button's name. */
  private showBadge(text: string): void {
    this.parts.badge.textContent = text
    if (text) this.parts.opener.setAttribute('aria-label', `Network, ${text}`)
    else this.parts.opener.removeAttribute('aria-label')
  }

  private tell(text: string): void {
    this.parts.news.textContent = text
  }
}

/** First in the panel: a relay caught signing two histories is what a person must see. */
function forkSection(lines: string[]): HTMLElement {
  const section = el('section', 'machine-group group-forks')
  const title = el('h3', 'machine-group-title', 'Relays that signed two histories')
  title.id = 'network-group-forks'
  section.setAttribute('aria-labelledby', title.id)
  const ul = el('ul', 'machine-list')
  ul.append(...lines.map((line) => el('li', 'fork-report', line)))
  section.append(title, ul)
  return section
}
