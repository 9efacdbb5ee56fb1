/**
 * The page for people who do not use a mouse, and on other screens: every control has an
 * accessible name; Tab reaches the controls of the chat in a sensible order; the emoji picker
 * works from the keyboard alone; at phone width nothing scrolls sideways; in dark mode the
 * page is dark. (Chromium via playwright-core, one host.)
 */
import t from 'tap'
import { createLan, type Host } from '../multihost/harness.js'
import { messageBox, openBrowser, signUp, skipReason } from './lib/browser.js'

const CONTROLS = 'button, a[href], input, textarea, select, [role="option"], [role="combobox"], [tabindex]:not([tabindex="-1"])'

t.test('keyboard, accessible names, phone width and dark mode', { skip: skipReason() }, async (t) => {
  const lan = await createLan(t, 1)
  const h1 = lan.hosts[0] as Host
  await h1.start()
  await lan.waitFor('a relay', async () => ((await h1.status()).role === 'relay' ? true : Promise.reject(new Error('not yet'))), 20_000)
  const { page } = await openBrowser(t, await h1.uiUrl())
  await signUp(page, 'dora', 'keyboard password')
  await messageBox(page).fill('see https://example.org/ and @dora')
  await messageBox(page).press('Enter')
  await page.getByRole('log').getByRole('link', { name: 'https://example.org/' }).waitFor()

  await t.test('every visible control has an accessible name', async (t) => {
    const unnamed = await page.locator(CONTROLS).evaluateAll((els) =>
      els
        .filter((el) => {
          const e = el as HTMLElement
          if (!e.offsetParent && getComputedStyle(e).position !== 'fixed') return false // not shown
          const byLabel = e.id ? document.querySelector(`label[for="${e.id}"]`)?.textContent : null
          const byRef = e
            .getAttribute('aria-labelledby')
            ?.split(' ')
            .map((id) => document.getElementById(id)?.textContent ?? '')
            .join(' ')
          const name =
            e.getAttribute('aria-label') ?? byRef ?? byLabel ?? e.closest('label')?.textContent ?? e.textContent ?? e.getAttribute('title')
          return !name?.trim()
        })
        .map((el) => el.outerHTML.slice(0, 120)),
    )
    t.same(unnamed, [], 'no control without a name')
  })

  await t.test('Tab reaches every control of the chat', async (t) => {
    await page.locator('body').focus()
    const reached = new Set<string>()
    // Enough presses to go round every control of the chat page once (search and export added a
    // few, the room's Notifications select one more, its Pinned button one more).
    for (let i = 0; i < 42; i++) {
      await page.keyboard.press('Tab')
      reached.add(
        await page.evaluate(() => {
          const e = document.activeElement as HTMLElement | null
          return (
            e?.getAttribute('aria-label') ??
            (e?.id ? document.querySelector(`label[for="${e.id}"]`)?.textContent?.trim() : null) ??
            e?.closest('label')?.textContent?.trim() ??
            e?.textContent?.trim() ??
            ''
          )
        }),
      )
    }
    for (const name of [
      'Log out',
      'Set yourself away',
      'Emoji',
      'Message',
      'Send',
      'Notifications',
      'Let others see when I’m typing',
      'https://example.org/',
    ]) {
      t.ok(reached.has(name), `${name} is reachable by Tab`)
    }
  })

  await t.test('the emoji picker from the keyboard alone', async (t) => {
    await page.getByRole('button', { name: 'Emoji', exact: true }).focus()
    await page.keyboard.press('Enter')
    t.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Search emoji', 'the caret goes to the search')
    await page.keyboard.type('popper')
    await page.keyboard.press('Enter')
    // Enter before the emoji data has loaded picks the first match once it has (emoji-panel.ts,
    // enterWhenReady): on a loaded machine that is after the key press returns.
    await page.waitForFunction(() => (document.getElementById('message') as HTMLTextAreaElement | null)?.value !== '', null, {
      timeout: 15_000,
    })
    t.equal(await messageBox(page).inputValue(), '🎉')
    t.equal(await page.evaluate(() => document.activeElement?.id), 'message', 'and back to the message box')
    await page.keyboard.press('Escape')
    await messageBox(page).fill('')
  })

  await t.test('at phone width nothing scrolls sideways and the composer is on screen', async (t) => {
    await page.setViewportSize({ width: 390, height: 800 })
    t.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no sideways scroll')
    const box = await messageBox(page).boundingBox()
    t.ok(box && box.x >= 0 && box.x + box.width <= 390 && box.y + box.height <= 800, 'the message box is fully visible')
    await page.screenshot({ path: '/tmp/sochat-phone.png' })
    t.comment('screenshot: /tmp/sochat-phone.png')
  })

  await t.test('dark mode follows the system', async (t) => {
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor)
    const luminance = (rgb: string) => {
      const [r, g, b] = (rgb.match(/\d+/g) ?? []).map(Number) as [number, number, number]
      return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255
    }
    await page.emulateMedia({ colorScheme: 'light' })
    t.ok(luminance(await background()) > 0.8, `light: ${await background()}`)
    await page.emulateMedia({ colorScheme: 'dark' })
    t.ok(luminance(await background()) < 0.2, `dark: ${await background()}`)
    await page.screenshot({ path: '/tmp/sochat-dark.png' })
    t.comment('screenshot: /tmp/sochat-dark.png')
  })
})
