/**
 * The theme chosen per person (issue 17): what is stored and read back, and style.css's
 * "everyday comforts" block, which must force every dark rule of the system's setting under
 * data-theme="dark" and undo it under data-theme="light" (with the page's light values).
 */
import { readFileSync } from 'node:fs'
import t from 'tap'
import type { KeyValueStore } from '../../../web-ui/src/composer/draft-store-model.js'
import { loadTheme, parseTheme, saveTheme, themeAttribute, themeKey } from '../../../web-ui/src/app/theme-model.js'

function storage(): KeyValueStore & { items: Map<string, string> } {
  const items = new Map<string, string>()
  return {
    items,
    get length() {
      return items.size
    },
    key: (i) => [...items.keys()][i] ?? null,
    getItem: (k) => items.get(k) ?? null,
    setItem: (k, v) => void items.set(k, v),
    removeItem: (k) => void items.delete(k),
  }
}

t.test('a stored theme is read back per person; anything else is the system setting', async (t) => {
  const s = storage()
  t.equal(loadTheme(s, 'alice'), 'system', 'nothing stored')
  saveTheme(s, 'alice', 'dark')
  t.equal(loadTheme(s, 'alice'), 'dark')
  t.equal(loadTheme(s, 'bob'), 'system', 'another person at the same browser')
  saveTheme(s, 'alice', 'system')
  t.equal(s.items.size, 0, 'the system setting is the absence of a choice')
  s.setItem(themeKey('alice'), 'purple')
  t.equal(loadTheme(s, 'alice'), 'system', 'a value someone put there by hand')
  for (const v of [null, undefined, 1, {}, 'Dark', ' light']) t.equal(parseTheme(v), 'system')
  t.equal(loadTheme(null, 'alice'), 'system', 'no storage')
  t.throws(() => saveTheme(null, 'alice', 'dark'), /no browser storage/)
  const broken = {
    ...storage(),
    getItem: () => {
      throw new Error('SecurityError')
    },
  }
  t.equal(loadTheme(broken, 'alice'), 'system', 'storage that throws on read')
})

t.test('the attribute on <html>: none for the system setting', async (t) => {
  t.equal(themeAttribute('system'), null)
  t.equal(themeAttribute('light'), 'light')
  t.equal(themeAttribute('dark'), 'dark')
})

type Rules = Map<string, Map<string, string>>

/** Top-level rules of `css` (comments gone), and the rules inside each dark media block. */
function parseCss(css: string): { top: Rules; dark: Rules } {
  const text = css.replace(/\/\*[\s\S]*?\*\//g, '')
  const top: Rules = new Map()
  const dark: Rules = new Map()
  const add = (into: Rules, selector: string, body: string) => {
    const decls = into.get(selector) ?? new Map<string, string>()
    for (const d of body.split(';')) {
      const at = d.indexOf(':')
      if (at > 0)
        decls.set(
          d.slice(0, at).trim(),
          d
            .slice(at + 1)
            .trim()
            .replace(/\s+/g, ' '),
        )
    }
    into.set(selector, decls)
  }
  const rule = /([^{}]+)\{([^{}]*)\}/g
  let i = 0
  while (i < text.length) {
    const open = text.indexOf('{', i)
    if (open < 0) break
    const head = text.slice(i, open).trim()
    if (head.startsWith('@')) {
      let depth = 1
      let j = open + 1
      for (; depth > 0 && j < text.length; j++) depth += text[j] === '{' ? 1 : text[j] === '}' ? -1 : 0
      if (head.replace(/\s+/g, ' ') === '@media (prefers-color-scheme: dark)') {
        for (const m of text.slice(open + 1, j - 1).matchAll(rule)) add(dark, (m[1] ?? '').trim(), m[2] ?? '')
      }
      i = j
    } else {
      const close = text.indexOf('}', open)
      add(top, head.replace(/\s+/g, ' '), text.slice(open + 1, close))
      i = close + 1
    }
  }
  return { top, dark }
}

t.test('style.css: every dark rule has its twins under data-theme', async (t) => {
  const css = readFileSync(new URL('../../../web-ui/style.css', import.meta.url), 'utf8')
  const { top, dark } = parseCss(css)
  t.ok(dark.get(':root')?.has('--bg') && dark.has('.msg.found'), 'the dark blocks were found')
  const twin = (theme: string, selector: string) =>
    selector === ':root' ? `:root[data-theme="${theme}"]` : `:root[data-theme="${theme}"] ${selector}`
  for (const [selector, decls] of dark) {
    const forcedDark = top.get(twin('dark', selector))
    const forcedLight = top.get(twin('light', selector))
    for (const [prop, value] of decls) {
      t.equal(forcedDark?.get(prop), value, `dark twin of ${selector} { ${prop} }`)
      // The light twin restores what the page has outside the dark block.
      t.equal(forcedLight?.get(prop), top.get(selector)?.get(prop), `light twin of ${selector} { ${prop} }`)
    }
  }
})
