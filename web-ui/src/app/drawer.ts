/**
 * The page at phone width (issue 17): the sidebar becomes a drawer and the header's account
 * buttons a menu, each opened by a button with aria-expanded (the ARIA disclosure pattern).
 * Opening moves focus in (the room on screen, or the first control); Escape closes and gives
 * focus back to the button; choosing a room closes the drawer (and the room switch then puts
 * focus in the message box, as it does at any width). At desktop width style.css shows
 * both panels in place and hides the two buttons, so nothing here can be set off there; a
 * switch to desktop width closes both, so no `inert` or open state outlives the phone layout.
 */

const PHONE = '(max-width: 720px)'
const FOCUSABLE = 'a[href], button:not([disabled]), input:not([type="hidden"]), select, textarea'

interface DisclosureParts {
  button: HTMLButtonElement
  panel: HTMLElement
  /** Set on <body> while open: style.css slides the panel in and dims what is behind. */
  bodyClass: string
  /** Made inert while open, so Tab and a screen reader stay in the panel and its button. */
  behind: HTMLElement[]
  /** Where focus goes on opening. */
  first(): HTMLElement | null
  /** A click on this (inside the panel) is a choice: it closes the panel. */
  choice: string | null
}

export class Disclosure {
  constructor(private readonly parts: DisclosureParts) {
    const { button, panel } = parts
    button.addEventListener('click', () => (this.isOpen() ? this.close(true) : this.open()))
    panel.addEventListener('keydown', (ev) => this.onEscape(ev))
    button.addEventListener('keydown', (ev) => this.onEscape(ev))
    panel.addEventListener('click', (ev) => {
      if (parts.choice && (ev.target as Element).closest(parts.choice)) this.close(false)
    })
    // A tap outside closes it; not one inside a dialog the panel opened (its opener must stay).
    document.addEventListener('pointerdown', (ev) => {
      const target = ev.target as Element
      if (this.isOpen() && !panel.contains(target) && !button.contains(target) && !target.closest('dialog')) this.close(false)
    })
    matchMedia(PHONE).addEventListener('change', () => this.close(false))
  }

  isOpen(): boolean {
    return this.parts.button.getAttribute('aria-expanded') === 'true'
  }

  open(): void {
    const { button, bodyClass, behind } = this.parts
    button.setAttribute('aria-expanded', 'true')
    document.body.classList.add(bodyClass)
    for (const el of behind) el.inert = true
    this.parts.first()?.focus()
  }

  /** `refocus`: give focus back to the button (Escape, or the button pressed again). */
  close(refocus: boolean): void {
    if (!this.isOpen()) return
    const { button, panel, bodyClass, behind } = this.parts
    const hadFocus = panel.contains(document.activeElement)
    button.setAttribute('aria-expanded', 'false')
    document.body.classList.remove(bodyClass)
    for (const el of behind) el.inert = false
    // Focus in a panel that just hid would fall to <body>: the button is where it came from.
    if (refocus || hadFocus) button.focus()
  }

  private onEscape(ev: KeyboardEvent): void {
    if (ev.key !== 'Escape' || !this.isOpen()) return
    ev.preventDefault()
    ev.stopPropagation()
    this.close(true)
  }
}

function firstIn(panel: HTMLElement, preferred: string): HTMLElement | null {
  return panel.querySelector<HTMLElement>(preferred) ?? panel.querySelector<HTMLElement>(FOCUSABLE)
}

function required<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id)
  if (!el) throw new Error(`the page has no #${id}: index.html and drawer.ts disagree`)
  return el as T
}

/** The drawer and the header menu, wired to index.html's markup. */
export function watchPhoneChrome(): { drawer: Disclosure; menu: Disclosure } {
  const sidebar = required<HTMLElement>('sidebar')
  const menuPanel = required<HTMLElement>('topbar-menu')
  const behindDrawer = [required<HTMLElement>('room-main'), required<HTMLElement>('thread-pane'), required<HTMLElement>('search')]
  const drawer = new Disclosure({
    button: required<HTMLButtonElement>('drawer-toggle'),
    panel: sidebar,
    bodyClass: 'drawer-open',
    behind: behindDrawer,
    first: () => firstIn(sidebar, 'a[aria-current="page"]'),
    // A room or a person chosen: the conversation is what the person wants to see now.
    choice: 'a.room-link, .person-button',
  })
  const menu = new Disclosure({
    button: required<HTMLButtonElement>('menu-toggle'),
    panel: menuPanel,
    bodyClass: 'menu-open',
    behind: [],
    first: () => firstIn(menuPanel, 'button'),
    choice: '#logout',
  })
  // A room opened any other way (a #room link in a message, the switcher) closes the drawer.
  window.addEventListener('hashchange', () => drawer.close(false))
  return { drawer, menu }
}
