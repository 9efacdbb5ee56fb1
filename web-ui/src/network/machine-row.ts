/**
 * One machine's row in the Network panel: name, fingerprint (monospace, in its groups),
 * address, its condition in words, how and when it was last seen, and the buttons it offers.
 * Remove has a confirm step inside the row that says what removing does. Text goes in as text.
 */
import type { MachineAction, MachineView, NetworkView } from '../../../shared/index.js'
import { button, el } from '../app/dom.js'
import { actionLabel, conditionText, lastSeenText, removeWarning, rowActions, seenByText } from './network-model.js'

export interface RowHost {
  act(machine: MachineView, action: MachineAction): void
  now(): number
  /** The machine whose Remove is being confirmed: a live redraw keeps asking, not starts over. */
  confirming: string | null
  setConfirming(nodeId: string | null): void
  /** Machines the relay counts but does not name to this one (`MachinesResponse.unlisted`). */
  unlisted: number
}

/** The key a control keeps across redraws, so a live refresh does not take focus away. */
export function focusKey(nodeId: string, what: string): string {
  return `${nodeId}:${what}`
}

export function machineRow(m: MachineView, network: NetworkView, host: RowHost): HTMLLIElement {
  const li = el('li', `machine-row is-${m.state}`)
  li.dataset.node = m.nodeId
  // Focus lands on the row itself after an action moved it to another group, and stays on it
  // through a live redraw (network-panel.ts show(): by focus key, like the buttons).
  li.tabIndex = -1
  li.dataset.focusKey = focusKey(m.nodeId, 'row')
  const nameId = `machine-${m.nodeId}-name`
  li.setAttribute('aria-labelledby', nameId)
  const name = el('p', 'machine-name', m.name)
  name.id = nameId
  li.append(name, fingerprintLine(m.fingerprint), factsLine(m, network, host.now()))
  const condition = el(
    'p',
    m.problem || m.state === 'outdated' ? 'machine-condition has-problem' : 'machine-condition',
    conditionText(m, host.unlisted),
  )
  li.append(condition)
  const actions = rowActions(m, network)
  if (actions.length) li.append(actionBar(m, actions, host))
  return li
}

export function fingerprintLine(fingerprint: string): HTMLElement {
  const p = el('p', 'machine-fingerprint')
  const code = el('code', 'fingerprint-code', fingerprint)
  p.append(el('span', 'visually-hidden', 'Fingerprint '), code)
  return p
}

function factsLine(m: MachineView, network: NetworkView, now: number): HTMLElement {
  const facts = [m.address ?? 'No address known', seenByText(m.seenBy, network.interface), lastSeenText(m.lastSeen, now)]
  return el('p', 'machine-facts', facts.join(' · '))
}

function actionBar(m: MachineView, actions: MachineAction[], host: RowHost): HTMLElement {
  const bar = el('div', 'machine-actions')
  for (const action of actions) {
    const className = action === 'admit' ? 'primary small' : 'secondary small'
    const onClick = action === 'remove' ? () => confirmRemove(bar, m, host, true) : () => host.act(m, action)
    const b = button(actionLabel(action), className, onClick, `${actionLabel(action)} ${m.name}`)
    b.dataset.focusKey = focusKey(m.nodeId, action)
    bar.append(b)
  }
  if (actions.includes('remove') && host.confirming === m.nodeId) confirmRemove(bar, m, host, false)
  return bar
}

/**
 * Remove cannot be taken back: the row says what it does and asks again; Cancel is focused when
 * the person asked (`focus`), and keeps focus through a redraw by its focus key otherwise.
 */
function confirmRemove(bar: HTMLElement, m: MachineView, host: RowHost, focus: boolean): void {
  const warningId = `machine-${m.nodeId}-warning`
  const warning = el('p', 'machine-warning', removeWarning(m.name))
  warning.id = warningId
  const cancel = button('Cancel', 'secondary small', () => {
    host.setConfirming(null)
    bar.replaceChildren(...original)
    ;(original[original.length - 1] as HTMLElement).focus()
  })
  const sure = button(`Remove ${m.name}`, 'danger small', () => host.act(m, 'remove'))
  for (const b of [cancel, sure]) b.setAttribute('aria-describedby', warningId)
  cancel.dataset.focusKey = focusKey(m.nodeId, 'cancel-remove')
  sure.dataset.focusKey = focusKey(m.nodeId, 'confirm-remove')
  const original = [...bar.children]
  bar.replaceChildren(warning, cancel, sure)
  host.setConfirming(m.nodeId)
  if (focus) cancel.focus()
}
