/**
 * What the formatting browser test asks of a page: the message text's DOM against the
 * allow-list, a trap for any vector that would run, and axe-core's WCAG 2.1 A/AA rules.
 * The functions passed to page.evaluate have no named functions inside: tsx would wrap them
 * in a helper (__name) the page lacks.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'

/** Elements and attributes the formatter may put inside `.msg-text` (rich-text-view.ts). */
const TAGS = ['P', 'BLOCKQUOTE', 'UL', 'OL', 'LI', 'STRONG', 'EM', 'S', 'CODE', 'PRE', 'DIV', 'BUTTON', 'A', 'SPAN']
const ATTRIBUTES = ['class', 'href', 'target', 'rel', 'title', 'start', 'type', 'data-tool', 'tabindex', 'aria-label']

/** Set up before the page loads: anything a vector could call to show it ran sets `__xss`. */
export async function trapScripts(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as Record<string, unknown>
    w.__xss = []
    for (const name of ['alert', 'confirm', 'prompt', 'print']) {
      w[name] = (...args: unknown[]) => void (w.__xss as unknown[]).push(`${name}(${args.join(',')})`)
    }
    document.addEventListener(
      'securitypolicyviolation',
      (e) => void (w.__xss as unknown[]).push(`csp: ${e.violatedDirective} ${e.blockedURI}`),
    )
  })
}

/** What ran (or tried to and was refused by the CSP), since the page loaded. */
export function ranScripts(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __xss: string[] }).__xss ?? ['the trap is not set'])
}

/**
 * Every element in the messages' text that the formatter would never make, every attribute it
 * would never set, every link to anything but http(s) or a room; and, to give an inline handler
 * its chance, the events such handlers listen for, fired at every element.
 */
export function strayMarkup(page: Page): Promise<string[]> {
  return page.evaluate(
    ({ tags, attributes }) => {
      const found: string[] = []
      for (const el of document.querySelectorAll('#timeline .msg-text *')) {
        if (!tags.includes(el.tagName)) found.push(`<${el.tagName.toLowerCase()}>`)
        for (const a of el.getAttributeNames()) if (!attributes.includes(a)) found.push(`<${el.tagName.toLowerCase()} ${a}>`)
        const href = el.getAttribute('href')
        if (href !== null && !/^(https?:\/\/|#room=)/.test(href)) found.push(`href=${href}`)
        for (const type of ['mouseover', 'mouseenter', 'focus', 'error', 'load', 'toggle', 'animationstart'])
          el.dispatchEvent(new Event(type))
      }
      return found
    },
    { tags: TAGS, attributes: ATTRIBUTES },
  )
}

export interface AxeViolation {
  id: string
  impact: string | null
  help: string
  /** Selectors of the nodes, and whether each is inside a message's text. */
  nodes: Array<{ target: string; inMessageText: boolean }>
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/**
 * axe-core's WCAG 2.1 A and AA rules over the whole page. Evaluated through the DevTools
 * protocol, which the CSP does not govern (an injected <script> would be refused).
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource)
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<{ violations: unknown[] }> } }).axe
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
    return (result.violations as Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: string[] }> }>).map(
      (v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => {
          const target = n.target.join(' ')
          const el = document.querySelector(n.target[0] ?? '')
          return { target, inMessageText: Boolean(el?.closest('.msg-text')) }
        }),
      }),
    )
  })
}
