/**
 * Everyday comforts (issue 17 item 6), by keyboard where a keyboard path exists: drafts per
 * room kept across a reload and cleared on send; "Jump to latest" with the count of messages
 * that came while scrolled up; the light/dark/system theme kept per person; the quick switcher
 * (Ctrl+K). Screenshots in /tmp/comforts17-*.png. (Chromium via playwright-core, one host.)
 */
import t from 'tap'
import type { Page } from 'playwright-core'
import { createLan, type Host } from '../multihost/harness.js'
import { bearer, logIn as apiLogIn, post, signUp as apiSignUp } from '../multihost/lan-helpers.js'
import { axeViolations } from './format/page-checks.js'
import { log, logIn, messageBox, openBrowser, seesMessage, skipReason } from './lib/browser.js'

const roomName = (page: Page) => page.locator('#room-name')
const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '')
const luminance = async (page: Page) => {
  const rgb = await page.evaluate(() => getComputedStyle(document.body).backgroundColor)
  const [r, g, b] = (rgb.match(/\d+/g) ?? []).map(Number) as [number, number, number]
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255
}

/** Ctrl+K, the name typed, Enter: the conversation on screen. */
async function switchTo(page: Page, typed: string): Promise<void> {
  await page.keyboard.press('Control+k')
  await page.getByRole('combobox', { name: 'Room or person' }).waitFor()
  await page.keyboard.type(typed)
  await page.keyboard.press('Enter')
}

t.test('drafts, jump to latest, theme and the quick switcher', { skip: skipReason() }, async (t) => {
  const lan = await createLan(t, 1)
  const h1 = lan.hosts[0] as Host
  await h1.start()
  await lan.waitFor('a relay', async () => ((await h1.status()).role === 'relay' ? true : Promise.reject(new Error('not yet'))), 20_000)
  await apiSignUp(h1, 'alice', 'comforts password')
  await apiSignUp(h1, 'bob', 'comforts password')
  // Never logs in: only the directory knows her.
  await apiSignUp(h1, 'carol', 'comforts password')
  const bob = (await apiLogIn(h1, 'bob', 'comforts password')).token
  const made = await h1.api('POST', '/api/v1/rooms', { name: 'design', kind: 'private', invite: ['alice'] }, bearer(bob))
  t.equal(made.status, 201, 'bob made #design with alice in it')
  for (let i = 1; i <= 40; i++) await post(h1, bob, `filler ${i}`)

  const person = await openBrowser(t, await h1.uiUrl())
  const { page } = person
  await logIn(page, 'alice', 'comforts password')
  await seesMessage(page, 'filler 40')

  await t.test('a draft per room survives a reload and goes when sent', async (t) => {
    await messageBox(page).focus()
    await page.keyboard.type('half a thought in general')
    await switchTo(page, 'desi')
    await roomName(page).filter({ hasText: 'design' }).waitFor()
    t.equal(await messageBox(page).inputValue(), '', 'design has no draft yet')
    await page.keyboard.type('a draft for design')
    await page.reload()
    await roomName(page).filter({ hasText: 'design' }).waitFor()
    await page.getByRole('button', { name: 'Log out' }).waitFor()
    await page.waitForFunction(() => (document.getElementById('message') as HTMLTextAreaElement).value !== '')
    t.equal(await messageBox(page).inputValue(), 'a draft for design', "after a reload, design's draft is back")
    await switchTo(page, 'general')
    await roomName(page).filter({ hasText: 'general' }).waitFor()
    await page.waitForFunction(() => (document.getElementById('message') as HTMLTextAreaElement).value !== '')
    t.equal(await messageBox(page).inputValue(), 'half a thought in general', "and general's")
    t.equal(await focusedId(page), 'message', 'the switcher leaves the caret in the message box')
    await page.screenshot({ path: '/tmp/comforts17-draft.png' })
    await page.keyboard.press('Enter')
    await seesMessage(page, 'half a thought in general')
    await page.reload()
    await seesMessage(page, 'half a thought in general')
    t.equal(await messageBox(page).inputValue(), '', 'sent: no draft after a reload')
    const keys = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('so-chat:draft:')))
    t.same(
      keys,
      [`so-chat:draft:alice:${encodeURIComponent((made.body as { room: { id: string } }).room.id)}`],
      "only design's draft is stored",
    )
  })

  await t.test('jump to latest: the count of what came while scrolled up, by keyboard', async (t) => {
    const scroller = page.locator('#scroller')
    await scroller.evaluate((el) => {
      el.scrollTop = 0
    })
    const jump = page.getByRole('button', { name: /^Jump to latest/ })
    await jump.waitFor()
    t.equal(await jump.textContent(), 'Jump to latest', 'scrolled up: the button, no count yet')
    await post(h1, bob, 'news one')
    await post(h1, bob, 'news two')
    await page.getByRole('button', { name: 'Jump to latest: 2 new messages' }).waitFor()
    t.ok(await scroller.evaluate((el) => el.scrollTop < 50), 'the view stayed where the reader was')
    await page.screenshot({ path: '/tmp/comforts17-jump.png' })
    await log(page).focus()
    await page.keyboard.press('Tab')
    t.equal(await focusedId(page), 'jump-latest', 'Tab from the message list reaches it')
    await page.keyboard.press('Enter')
    await jump.waitFor({ state: 'hidden' })
    t.ok(await scroller.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 64), 'at the newest message')
    t.equal(await focusedId(page), 'message', 'and the caret in the message box')
  })

  await t.test('the theme is kept per person and overrides the system', async (t) => {
    await page.emulateMedia({ colorScheme: 'light' })
    const theme = page.getByRole('combobox', { name: 'Theme' })
    await theme.focus()
    await theme.selectOption('dark')
    t.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark')
    t.ok((await luminance(page)) < 0.2, 'dark although the system is light')
    await page.reload()
    await page.getByRole('button', { name: 'Log out' }).waitFor()
    t.ok((await luminance(page)) < 0.2, 'still dark after a reload')
    await page.screenshot({ path: '/tmp/comforts17-dark.png' })
    await page.emulateMedia({ colorScheme: 'dark' })
    await theme.selectOption('light')
    t.ok((await luminance(page)) > 0.8, 'light although the system is dark')
    await page.screenshot({ path: '/tmp/comforts17-light.png' })
    await theme.selectOption('system')
    t.ok((await luminance(page)) < 0.2, 'system: dark again, as the system')
    t.equal(await page.evaluate(() => localStorage.getItem('so-chat:theme:alice')), null, 'the system setting is no stored choice')
    await theme.selectOption('dark')
    await page.emulateMedia({ colorScheme: 'light' })
  })

  await t.test('the quick switcher by keyboard, and axe on it in the dark theme', async (t) => {
    await messageBox(page).focus()
    await page.keyboard.press('Control+k')
    const dialog = page.getByRole('dialog', { name: 'Go to a conversation' })
    await dialog.waitFor()
    const box = page.getByRole('combobox', { name: 'Room or person' })
    const options = dialog.getByRole('option')
    t.equal(await focusedId(page), 'switcher-input', 'the caret is in its field')
    await options.filter({ hasText: 'carol' }).waitFor()
    t.same(
      await dialog.locator('.switcher-name').allTextContents(),
      ['#general', '#design', 'bob', 'carol'],
      'rooms, then people from the directory (carol never logged in)',
    )
    t.equal(await options.nth(3).textContent(), 'carol start a conversation', 'each with words saying what Enter does')
    await page.keyboard.press('ArrowDown')
    t.equal(await box.getAttribute('aria-activedescendant'), 'switcher-option-1', 'Down highlights the next')
    t.equal(await dialog.getByRole('option', { selected: true }).textContent(), '#design private room')
    await page.keyboard.type('bo')
    t.same(
      await options.allTextContents(),
      ['bob start a conversation', 'Search messages for “bo”'],
      'typing narrows the list; searching comes last',
    )
    const violations = await axeViolations(page)
    t.same(
      violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(', ')}`),
      [],
      'axe-core WCAG 2.1 A/AA: no violations with the switcher open (dark)',
    )
    await page.screenshot({ path: '/tmp/comforts17-switcher.png' })
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'hidden' })
    t.equal(await focusedId(page), 'message', 'Escape closes it, focus back where it was')
    await switchTo(page, 'bob')
    await page.waitForFunction(() => (document.getElementById('message') as HTMLTextAreaElement).placeholder === 'Message bob')
    t.pass('Enter on a person starts the direct conversation')
    await page.keyboard.press('Control+k')
    await page.keyboard.type('zzz')
    await page.getByRole('alert').filter({ hasText: 'No room or person by that name: Enter searches the messages.' }).waitFor()
    t.same(await options.allTextContents(), ['Search messages for “zzz”'], 'only the search is left')
    await page.keyboard.press('Enter')
    await page.waitForFunction(() => document.activeElement?.id === 'search-input')
    t.equal(await page.getByRole('combobox', { name: 'Search messages' }).inputValue(), 'zzz', 'Enter searches the messages for it')
    await page.keyboard.press('Escape')
    await page.keyboard.press('Escape')
  })

  await t.test('People: everyone, and a group conversation by keyboard', async (t) => {
    await page.getByRole('button', { name: 'People and group messages' }).focus()
    await page.keyboard.press('Enter')
    const dialog = page.getByRole('dialog', { name: 'People' })
    await dialog.getByRole('checkbox', { name: 'carol' }).waitFor()
    t.equal(await focusedId(page), 'people-filter', 'the caret in the filter')
    t.same(
      await dialog.getByRole('checkbox').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)),
      ['bob', 'carol'],
      'everyone but me',
    )
    await page.keyboard.press('Tab')
    await page.keyboard.press('Space')
    await page.keyboard.press('Tab')
    await page.keyboard.press('Space')
    const start = dialog.getByRole('button', { name: 'Start a conversation with 2 people' })
    await start.waitFor()
    const violations = await axeViolations(page)
    t.same(
      violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(', ')}`),
      [],
      'axe-core WCAG 2.1 A/AA: no violations with People open (dark)',
    )
    await page.screenshot({ path: '/tmp/comforts17-people.png' })
    await page.keyboard.press('Tab')
    t.equal(await focusedId(page), 'people-start', 'Tab reaches the start button')
    await page.keyboard.press('Enter')
    await page.waitForFunction(() => (document.getElementById('message') as HTMLTextAreaElement).placeholder === 'Message bob, carol')
    t.pass('the group conversation with bob and carol is on screen')
    // Focus moves once its history is loaded (chat-page.ts showRoom).
    await page.waitForFunction(() => document.activeElement?.id === 'message')
    t.equal(await focusedId(page), 'message', 'the caret in its message box')
  })

  await t.test('at phone width the switcher and People fit the screen', async (t) => {
    await page.setViewportSize({ width: 390, height: 800 })
    for (const [open, name] of [
      [() => page.keyboard.press('Control+k'), 'Go to a conversation'],
      [() => page.locator('#people-open').evaluate((b) => (b as HTMLButtonElement).click()), 'People'],
    ] as const) {
      await open()
      const dialog = page.getByRole('dialog', { name })
      await dialog.waitFor()
      const box = await dialog.boundingBox()
      t.ok(box && box.x >= 0 && box.x + box.width <= 390, `${name}: within 390 px (${box?.x}–${box && box.x + box.width})`)
      await page.screenshot({ path: `/tmp/comforts17-phone-${name === 'People' ? 'people' : 'switcher'}.png` })
      await page.keyboard.press('Escape')
      await dialog.waitFor({ state: 'hidden' })
    }
    t.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no sideways scroll')
    await page.setViewportSize({ width: 1100, height: 720 })
  })

  await t.test('log-out: the system theme again and no drafts left', async (t) => {
    await messageBox(page).fill('a draft at log-out')
    await page.getByRole('button', { name: 'Log out' }).click()
    await page.getByRole('button', { name: 'Log in' }).waitFor()
    t.equal(await page.evaluate(() => document.documentElement.dataset.theme ?? null), null, 'logged out, the page follows the system')
    const keys = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('so-chat:draft:')))
    t.same(keys, [], 'logging out on purpose forgets the drafts')
  })

  t.same(person.problems, [], 'no console errors, page errors or foreign requests')
})
