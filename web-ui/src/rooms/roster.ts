/**
 * The sidebar: who has a chat page open anywhere on the network (and who of them is away),
 * the button to set yourself away by hand, which machine is the relay
 * (the one every message passes through) and what this machine is doing, with its key's
 * fingerprint (what a person compares before another machine trusts this one). Roles are said
 * in plain words, because "client" alone tells a person nothing.
 */
import type { Status } from '../../../shared/index.js'

export interface RosterParts {
  list: HTMLUListElement
  relay: HTMLElement
  machine: HTMLElement
  /** "Set yourself away" / "Set yourself active", aria-pressed while away by hand. */
  awayToggle: HTMLButtonElement
}

export class Roster {
  private awayByHand = false
  /** The latest presence, for the members list. */
  private online = new Set<string>()
  private away = new Set<string>()

  constructor(
    private readonly parts: RosterParts,
    onAway: (on: boolean) => void,
    private readonly onMessage: (name: string) => void,
  ) {
    parts.awayToggle.addEventListener('click', () => {
      this.setAwayByHand(!this.awayByHand)
      onAway(this.awayByHand)
    })
  }

  setAwayByHand(on: boolean): void {
    this.awayByHand = on
    this.parts.awayToggle.setAttribute('aria-pressed', String(on))
    this.parts.awayToggle.textContent = on ? 'Set yourself active' : 'Set yourself away'
  }

  clear(): void {
    this.setAwayByHand(false)
    this.parts.list.replaceChildren()
    this.parts.relay.textContent = ''
    this.parts.machine.replaceChildren()
  }

  /** 'online', 'away' or 'offline', as the latest status says. */
  presence(name: string): 'online' | 'away' | 'offline' {
    return this.away.has(name) ? 'away' : this.online.has(name) ? 'online' : 'offline'
  }

  show(status: Status, me: string | null): void {
    this.online = new Set(status.online)
    this.away = new Set(status.away ?? [])
    this.renderOnline(status.online, new Set(status.away ?? []), me)
    this.parts.relay.textContent = relayLine(status)
    this.parts.machine.replaceChildren(machineLine(status), ' · ', fingerprintElement(status.fingerprint))
  }

  private renderOnline(online: readonly string[], away: ReadonlySet<string>, me: string | null): void {
    // Me first, then everyone else alphabetically: a stable order is easier to scan.
    const people = [...new Set(online)].sort((a, b) =>
      a === me ? -1 : b === me ? 1 : a.localeCompare(b, undefined, { sensitivity: 'base' }),
    )
    const items = people.map((name) => {
      const li = document.createElement('li')
      const dot = document.createElement('span')
      dot.className = 'presence-dot'
      dot.setAttribute('aria-hidden', 'true')
      li.append(dot, this.nameNode(name, me))
      if (away.has(name)) {
        li.className = 'away'
        const note = document.createElement('span')
        note.className = 'you'
        note.textContent = ' (away)'
        li.append(note)
      }
      if (name === me) {
        const you = document.createElement('span')
        you.className = 'you'
        you.textContent = ' (you)'
        li.append(you)
      }
      return li
    })
    if (items.length === 0) {
      const li = document.createElement('li')
      li.className = 'empty'
      li.textContent = 'Nobody yet'
      items.push(li)
    }
    this.parts.list.replaceChildren(...items)
  }

  /** Someone else's name is a button that starts (or opens) a direct conversation with them. */
  private nameNode(name: string, me: string | null): HTMLElement {
    if (name === me) {
      const label = document.createElement('span')
      label.textContent = name
      return label
    }
    const b = document.createElement('button')
    b.type = 'button'
    b.className = 'person-button'
    b.textContent = name
    b.setAttribute('aria-label', `Message ${name}`)
    b.title = `Message ${name}`
    b.addEventListener('click', () => this.onMessage(name))
    return b
  }
}

export function relayLine(status: Pick<Status, 'role' | 'relayName' | 'name'>): string {
  if (status.role === 'relay') return `Relay: ${status.name} (this machine)`
  if (status.role === 'electing') return 'Relay: choosing one…'
  return status.relayName ? `Relay: ${status.relayName}` : 'Relay: none reachable'
}

export function machineLine(status: Pick<Status, 'role' | 'name'>): string {
  const what = { relay: 'the relay', client: 'sends through the relay', electing: 'looking for the others' }[status.role]
  return `This machine: ${status.name} (${what})`
}

/**
 * The fingerprint whole in the page's text (read out, copied, found by search) and, where the
 * sidebar is one line on a phone, cut short by CSS with the whole in its title.
 */
function fingerprintElement(fingerprint: string): HTMLElement {
  const span = document.createElement('span')
  span.className = 'fingerprint'
  span.title = `This machine's fingerprint: ${fingerprint}`
  const code = document.createElement('code')
  code.textContent = fingerprint
  span.append('fingerprint ', code)
  return span
}
