/** Small DOM helpers shared by the page's modules; user text only ever goes in as text. */

export function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id)
  if (!node) throw new Error(`index.html lacks #${id}`)
  return node as T
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag)
  node.className = className
  if (text !== undefined) node.textContent = text
  return node
}

export function button(label: string, className: string, onClick: () => void, ariaLabel?: string): HTMLButtonElement {
  const b = el('button', className, label)
  b.type = 'button'
  if (ariaLabel) b.setAttribute('aria-label', ariaLabel)
  b.addEventListener('click', onClick)
  return b
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/**
 * A native modal <dialog>: it keeps focus inside, Escape closes it, and focus goes back to
 * what opened it. Buttons marked `data-close` close it.
 */
export class Dialog {
  private opener: HTMLElement | null = null

  constructor(
    readonly el: HTMLDialogElement,
    private readonly alert: HTMLElement | null = null,
  ) {
    for (const b of el.querySelectorAll<HTMLElement>('[data-close]')) b.addEventListener('click', () => this.close())
    el.addEventListener('close', () => {
      this.opener?.focus()
      this.opener = null
    })
  }

  get isOpen(): boolean {
    return this.el.open
  }

  open(focus?: HTMLElement): void {
    this.opener = document.activeElement instanceof HTMLElement ? document.activeElement : null
    this.say('')
    if (!this.el.open) this.el.showModal()
    focus?.focus()
  }

  close(): void {
    if (this.el.open) this.el.close()
  }

  /** Errors in words, in the dialog's always-present alert region. */
  say(text: string): void {
    if (this.alert) this.alert.textContent = text
  }
}
