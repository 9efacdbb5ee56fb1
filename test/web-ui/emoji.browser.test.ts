/**
 * Every emoji in the page (Chromium via playwright-core, one host): emoji.json failing to load
 * (404, damaged) leaves the composer working and the picker saying so; then the picker by
 * keyboard alone (search, arrows, a skin tone, Escape), colour emoji (pixels counted, not
 * black outlines), a reaction with an emoji the old list of 62 lacked, `:smi` suggestions,
 * `:tada:` typed in full becoming 🎉 in the sent message, `:nope:` staying text, recently used
 * first on reopening, and the picker fitting a 390 px phone. Screenshots: /tmp/emoji17-*.png.
 */
import t from 'tap'
import sharp from 'sharp'
import type { Locator, Page } from 'playwright-core'
import { createLan, type Host } from '../multihost/harness.js'
import { log, messageBox, openBrowser, seesMessage, signUp, skipReason } from './lib/browser.js'

const row = (page: Page, text: string) => log(page).getByRole('article').filter({ hasText: text })
const focusedName = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '')

/**
 * How many pixels of an element are clearly coloured (saturated, not grey): a colour emoji
 * has hundreds, a black outline none.
 */
async function colouredPixels(target: Locator): Promise<number> {
  // A reaction's row is drawn again when the daemon answers: the element may be replaced while
  // Playwright waits for it to be stable, so the shot is taken of the one there a moment later.
  const shot = await target.screenshot().catch(() => target.screenshot())
  const { data, info } = await sharp(shot).raw().toBuffer({ resolveWithObject: true })
  let coloured = 0
  for (let i = 0; i < data.length; i += info.channels) {
    const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!]
    if (Math.max(r, g, b) - Math.min(r, g, b) > 80) coloured++
  }
  return coloured
}

t.test('every emoji: picker, skin tones, reactions, shortcodes, recents, phone', { skip: skipReason() }, async (t) => {
  const lan = await createLan(t, 1)
  const h1 = lan.hosts[0] as Host
  await h1.start()
  await lan.waitFor('a relay', async () => ((await h1.status()).role === 'relay' ? true : Promise.reject(new Error('not yet'))), 20_000)
  const person = await openBrowser(t, await h1.uiUrl())
  const { page } = person
  await signUp(page, 'erin', 'emoji password')
  // Opening the first room closes any picker and focuses the message box: wait for it.
  await page.getByText('No messages yet').waitFor()
  const toggle = page.getByRole('button', { name: 'Emoji', exact: true })
  const picker = page.getByRole('dialog', { name: 'Choose an emoji' })

  await t.test('emoji.json missing or damaged: the picker says so, the composer keeps working', async (t) => {
    await page.route('**/emoji.json', (route) => route.fulfill({ status: 404, body: 'gone' }))
    await toggle.click()
    await picker.getByRole('status').filter({ hasText: 'The emoji could not be loaded (HTTP 404)' }).waitFor()
    await page.keyboard.press('Escape')
    await messageBox(page).fill('still here :tada: :smi')
    await messageBox(page).press('Enter')
    await seesMessage(page, 'still here :tada: :smi')
    t.pass('a message is sent, its shortcodes left as typed')
    await page.unroute('**/emoji.json')
    await page.route('**/emoji.json', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: '{"version":1,' }))
    await toggle.click()
    await picker.getByRole('status').filter({ hasText: 'emoji.json is damaged' }).waitFor()
    await page.unroute('**/emoji.json')
    await picker.getByRole('button', { name: 'Try again' }).click()
    await picker.getByRole('group', { name: 'Smileys & emotion' }).waitFor()
    t.pass('Try again loads it once it is there')
    await page.keyboard.press('Escape')
    // Chromium logs the 404 itself; that one was asked for.
    person.problems = person.problems.filter((p) => !/status of 404/.test(p))
  })

  await t.test('the picker by keyboard: search, arrows, a skin tone, Escape', async (t) => {
    await toggle.focus()
    const opening = Date.now()
    await page.keyboard.press('Enter')
    await picker.getByRole('group', { name: 'Flags' }).waitFor()
    t.comment(`the picker showed all its emoji in ${Date.now() - opening} ms (data and grid from the first open)`)
    t.equal(await focusedName(page), 'Search emoji', 'the caret goes to the search')
    t.ok((await picker.getByRole('button').count()) > 1800, 'every emoji is offered')
    await page.screenshot({ path: '/tmp/emoji17-picker.png' })
    const grinning = picker.getByRole('button', { name: 'grinning face', exact: true }).first()
    t.ok((await colouredPixels(grinning)) > 50, '😀 is drawn in colour, not as a black outline')
    await page.keyboard.press('ArrowDown')
    t.equal(await focusedName(page), 'grinning face', 'Down enters the grid')
    await page.keyboard.press('ArrowRight')
    t.equal(await focusedName(page), 'grinning face with big eyes', 'Right: the next one')
    await page.keyboard.press('ArrowDown')
    const below = await focusedName(page)
    t.not(below, 'grinning face with smiling eyes', `Down goes a row down (${below})`)
    await page.keyboard.press('Shift+Tab')
    t.equal(await focusedName(page), 'Smileys & emotion', 'the group buttons are one Tab stop before the grid')
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('ArrowRight')
    t.equal(await focusedName(page), 'Animals & nature', 'Right goes along them')
    await page.keyboard.press('Enter')
    t.equal(await focusedName(page), 'monkey face', 'Enter goes to the first emoji of that group')
    await page.keyboard.press('Escape')
    t.equal(await focusedName(page), 'Emoji', 'Escape closes it, focus back on the button')
    t.ok(await picker.isHidden())

    await page.keyboard.press('Enter')
    await page.keyboard.press('Tab')
    t.equal(await focusedName(page), 'Skin tone')
    await page.getByLabel('Skin tone').selectOption({ label: '✋🏾 medium-dark' })
    await picker.getByRole('searchbox').fill('wave')
    await page.screenshot({ path: '/tmp/emoji17-search-tone.png' })
    await picker.getByRole('searchbox').press('Enter')
    t.equal(await messageBox(page).inputValue(), '👋🏾', 'the waving hand in the chosen tone')
    await messageBox(page).press('Enter')
    await seesMessage(page, '👋🏾')
    t.equal(await page.evaluate(() => localStorage.getItem('sochat.emoji.tone')), '4', 'the tone is kept in this browser')
  })

  await t.test('a reaction with an emoji the old list of 62 lacked', async (t) => {
    const message = row(page, '👋🏾')
    await message.hover()
    await message.getByRole('button', { name: 'Add reaction' }).click()
    const dialog = page.getByRole('dialog', { name: 'Add reaction' })
    const building = Date.now()
    await dialog.getByRole('group', { name: 'Flags' }).waitFor()
    t.comment(`Add reaction built its grid of every emoji in ${Date.now() - building} ms (data already loaded)`)
    await dialog.getByRole('searchbox').fill('flamingo')
    await dialog.getByRole('button', { name: 'React with flamingo' }).waitFor()
    await page.screenshot({ path: '/tmp/emoji17-reaction.png' })
    await dialog.getByRole('searchbox').press('Enter')
    const chip = message.getByRole('button', { name: /^🦩 1, flamingo, from you$/ })
    await chip.waitFor()
    t.ok((await colouredPixels(chip)) > 30, 'the chip’s 🦩 is in colour')
  })

  await t.test('shortcodes: :smi offers, :tada: becomes 🎉, :nope: stays text', async (t) => {
    await messageBox(page).fill('')
    await messageBox(page).pressSequentially('yay :smi')
    const list = page.getByRole('listbox')
    await list.getByRole('option', { name: '😄 :smile:' }).waitFor()
    await messageBox(page).press('Escape')
    await messageBox(page).fill('')
    await messageBox(page).pressSequentially('we shipped :thumbs_up: ')
    t.equal(await messageBox(page).inputValue(), 'we shipped 👍🏾 ', 'a finished code and a space: the emoji, in the chosen tone')
    await messageBox(page).pressSequentially('and :nope: and :tada:')
    await messageBox(page).press('Enter')
    await seesMessage(page, 'we shipped 👍🏾 and :nope: and 🎉')
    t.pass('sent with 🎉; the unknown code is text')
    t.ok((await colouredPixels(row(page, 'we shipped').getByText('we shipped'))) > 50, 'emoji in a message are in colour too')
    await page.screenshot({ path: '/tmp/emoji17-message.png' })
    await messageBox(page).fill(':grinning:')
    await page.getByRole('button', { name: 'Send', exact: true }).click()
    await seesMessage(page, '😀')
    t.pass('the Send button turns shortcodes into emoji too')
    // DejaVu Sans (system-ui and sans-serif here) has its own black 😀: only the font order makes it colour.
    const grinning = log(page).getByText('😀', { exact: true })
    t.ok((await colouredPixels(grinning)) > 50, 'a 😀 in a message is in colour, not DejaVu’s outline')
  })

  await t.test('recently used first on reopening', async (t) => {
    await toggle.click()
    const recent = picker.getByRole('group', { name: 'Recently used' }).getByRole('button')
    await recent.first().waitFor()
    t.same(await recent.evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label'))), ['flamingo', 'waving hand'])
    t.equal(await recent.nth(1).textContent(), '👋🏾', 'in the tone chosen now')
    await picker.getByRole('searchbox').press('ArrowDown')
    t.equal(await focusedName(page), 'flamingo', 'and first from the keyboard')
    await page.keyboard.press('Escape')
  })

  await t.test('at phone width the picker fits', async (t) => {
    await page.setViewportSize({ width: 390, height: 760 })
    await toggle.click()
    await picker.getByRole('group', { name: 'Smileys & emotion' }).waitFor()
    const box = await picker.boundingBox()
    t.ok(box && box.x >= 0 && box.x + box.width <= 390 && box.y >= 0, `the picker is on screen (${JSON.stringify(box)})`)
    t.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no sideways scroll')
    await page.screenshot({ path: '/tmp/emoji17-phone.png' })
    await page.keyboard.press('Escape')
    const message = row(page, 'we shipped')
    // No hover on a phone: a tap on the message shows its tools (issue 17).
    await message.click({ position: { x: 4, y: 4 } })
    await message.getByRole('button', { name: 'Add reaction' }).click()
    const dialog = page.getByRole('dialog', { name: 'Add reaction' })
    await dialog.getByRole('group', { name: 'Smileys & emotion' }).waitFor()
    const react = await dialog.boundingBox()
    t.ok(
      react && react.x >= 0 && react.x + react.width <= 390 && react.y >= 0 && react.y + react.height <= 760,
      `Add reaction is on screen (${JSON.stringify(react)})`,
    )
    await page.screenshot({ path: '/tmp/emoji17-phone-reaction.png' })
    await page.emulateMedia({ colorScheme: 'dark' })
    t.ok((await colouredPixels(dialog.getByRole('button', { name: 'React with grinning face' }).first())) > 50, 'in colour in dark mode')
    await page.screenshot({ path: '/tmp/emoji17-phone-dark.png' })
    await page.keyboard.press('Escape')
  })

  t.same(person.problems, [], 'no console errors, CSP violations or foreign requests')
})
