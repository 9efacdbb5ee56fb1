/**
 * Formatting in the chat page, in Chromium (playwright-core, one host): what people type
 * becomes bold, code, quotes, lists and links; a #room link opens the room; the Copy button
 * works by keyboard; nothing from the XSS corpus runs, even with the CSP turned off; axe-core
 * finds no serious or critical problem in what is rendered, light and dark, desktop and phone
 * width. Screenshots: /tmp/fmt17-*.png. (The render time: render-time.browser.test.ts.)
 */
import t from 'tap'
import type { Page } from 'playwright-core'
import { createLan, type Host } from '../../multihost/harness.js'
import { logIn as apiLogIn, signUp as apiSignUp } from '../../multihost/lan-helpers.js'
import { log, logIn, messageBox, openBrowser, skipReason } from '../lib/browser.js'
import { axeViolations, ranScripts, strayMarkup, trapScripts } from './page-checks.js'
import { corpus } from './corpus.js'
import { formattedMessage, makeRoom, postTo } from './rooms.js'

const USER = 'fmt'
const OTHER = 'mallory'
const PASSWORD = 'formatting password'
const CODE = 'const answer = 42\nconsole.log(answer)'

const SHOWCASE = [
  '**Release** is _ready_, ~~blocked~~ no more: run `npm test`',
  '> the relay moved to h3',
  '- first',
  '- second',
  '',
  '1. one',
  '2. two',
  '',
  `\`\`\`\n${CODE}\n\`\`\``,
  'See www.example.org and #formatted',
].join('\n')

/** Waits for exactly `count` messages on screen; if they never come, says what the page shows instead. */
async function showsRows(page: Page, count: number): Promise<void> {
  const ROWS = '#timeline article.msg .msg-text'
  try {
    await page.waitForFunction(({ selector, count }) => document.querySelectorAll(selector).length === count, { selector: ROWS, count })
  } catch (err) {
    const shown = await page.evaluate((selector) => ({ address: location.hash, rows: document.querySelectorAll(selector).length }), ROWS)
    throw new Error(`expected ${count} messages on screen; the page shows ${JSON.stringify(shown)}`, { cause: err })
  }
}

t.test('formatting in the chat page', { skip: skipReason() }, async (t) => {
  const lan = await createLan(t, 1)
  const h1 = lan.hosts[0] as Host
  await h1.start()
  await lan.waitFor('a relay', async () => ((await h1.status()).role === 'relay' ? true : Promise.reject(new Error('not yet'))), 20_000)
  await apiSignUp(h1, USER, PASSWORD)
  await apiSignUp(h1, OTHER, PASSWORD)
  const token = (await apiLogIn(h1, USER, PASSWORD)).token
  const other = (await apiLogIn(h1, OTHER, PASSWORD)).token
  const formattedRoom = await makeRoom(
    h1,
    token,
    'formatted',
    Array.from({ length: 50 }, (_, i) => formattedMessage(i + 1)),
  )
  // The corpus in rooms of at most 90 messages: each opens whole (a history page is 100).
  const vectors = [...corpus.owasp, ...corpus.markdown]
  const xssRooms: Array<{ id: string; count: number }> = []
  for (let i = 0; i < vectors.length; i += 90) {
    const chunk = vectors.slice(i, i + 90)
    xssRooms.push({ id: await makeRoom(h1, other, `xss-${i / 90 + 1}`, chunk), count: chunk.length })
  }
  await postTo(h1, other, 'general', `@${USER} please look at **this** in #formatted`)

  const person = await openBrowser(t, await h1.uiUrl())
  const { page } = person
  await trapScripts(page)
  await page.reload()
  await logIn(page, USER, PASSWORD)
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'])
  await log(page).getByText('please look at').waitFor()

  await t.test('formatted messages, typed in the page, in the DOM', async (t) => {
    await messageBox(page).fill(SHOWCASE)
    await messageBox(page).press('Enter')
    const row = log(page).getByRole('article').filter({ hasText: 'Release' })
    await row.locator('.code-block').waitFor()
    const text = row.locator('.msg-text')
    t.equal(await text.locator('strong').textContent(), 'Release')
    t.equal(await text.locator('em').textContent(), 'ready')
    t.equal(await text.locator('s').textContent(), 'blocked')
    t.equal(await text.locator('code.inline-code').textContent(), 'npm test')
    t.equal(await text.locator('blockquote').textContent(), 'the relay moved to h3')
    t.equal(await text.locator('p').first().textContent(), 'Release is ready, blocked no more: run npm test')
    t.same(await text.locator('ul > li').allTextContents(), ['first', 'second'])
    t.same(await text.locator('ol > li').allTextContents(), ['one', 'two'])
    t.equal(await text.locator('pre > code').textContent(), CODE, 'the code block, line for line')
    const link = text.getByRole('link', { name: 'www.example.org' })
    t.equal(await link.getAttribute('href'), 'http://www.example.org/')
    t.equal(await link.getAttribute('target'), '_blank')
    t.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow')
    t.equal(await text.getByRole('link', { name: '#formatted' }).getAttribute('href'), `#room=${encodeURIComponent(formattedRoom)}`)
    t.notOk((await text.textContent())?.includes('**'), 'no Markdown syntax left in the text')

    const mention = log(page).getByRole('article').filter({ hasText: 'please look at' })
    t.match(await mention.getAttribute('class'), /mentions-me/, 'a message naming me is highlighted')
    t.equal(await mention.locator('.mention-me').textContent(), `@${USER}`)
    t.equal(await mention.locator('strong').textContent(), 'this')
    await page.screenshot({ path: '/tmp/fmt17-desktop-light.png' })
  })

  await t.test('#room opens the room', async (t) => {
    const row = log(page).getByRole('article').filter({ hasText: 'please look at' })
    await row.getByRole('link', { name: '#formatted' }).click()
    await log(page).getByText('[formatted 50]').waitFor()
    t.match(page.url(), new RegExp(`#room=${encodeURIComponent(formattedRoom)}$`), 'the address names it')
    await page.goBack().catch(() => undefined)
    await page.locator('a[href="#room=general"]').first().click()
    await log(page).getByText('please look at').waitFor()
    t.pass('and back to general')
  })

  await t.test('the Copy button, by keyboard alone', async (t) => {
    await log(page).focus()
    await page.keyboard.press('End')
    const row = log(page).getByRole('article').filter({ hasText: 'Release' })
    t.ok(await row.evaluate((el) => el === document.activeElement), 'End goes to the newest message')
    let presses = 0
    while (presses < 10 && !(await page.evaluate(() => document.activeElement?.getAttribute('aria-label') === 'Copy code'))) {
      await page.keyboard.press('Tab')
      presses++
    }
    t.equal(
      await page.evaluate(() => document.activeElement?.getAttribute('aria-label')),
      'Copy code',
      `Tab reaches "Copy code" (${presses} presses)`,
    )
    await page.keyboard.press('Enter')
    await row.getByRole('button', { name: 'Code copied' }).waitFor()
    t.equal(await page.evaluate(() => navigator.clipboard.readText()), CODE, 'the code is on the clipboard, as typed')
    await row.getByRole('button', { name: 'Copy code' }).waitFor()
    t.pass('the button names itself again after a moment')
  })

  await t.test('the XSS corpus: text or safe links, nothing runs', async (t) => {
    // Twice: this page under the daemon's CSP, and a second browser with the CSP turned off,
    // where only the way messages are drawn stands between a vector and running.
    const bare = await openBrowser(t, await h1.uiUrl(), { bypassCSP: true })
    await trapScripts(bare.page)
    await bare.page.reload()
    await logIn(bare.page, OTHER, PASSWORD)
    for (const [name, p] of [
      ['with the CSP', page],
      ['without the CSP', bare.page],
    ] as const) {
      for (const room of xssRooms) {
        await p.evaluate((id) => {
          location.hash = `#room=${encodeURIComponent(id)}`
        }, room.id)
        await showsRows(p, room.count)
        t.same(await strayMarkup(p), [], `${name}, ${room.count} vectors: only the formatter's elements, attributes and links`)
      }
      t.same(await ranScripts(p), [], `${name}: nothing ran, nothing was refused by the CSP`)
    }
    await bare.page.screenshot({ path: '/tmp/fmt17-xss.png' })
    t.same(bare.problems, [], 'no console error or foreign request without the CSP either')
  })

  await t.test('axe-core WCAG 2.1 A/AA: light and dark, desktop and phone', async (t) => {
    // From general whatever the test before left on screen (its failure is its own).
    await page.locator('a[href="#room=general"]').first().click()
    await log(page).getByText('please look at').waitFor()
    for (const [width, height, where] of [
      [1100, 720, 'desktop'],
      [390, 800, 'phone'],
    ] as const) {
      await page.setViewportSize({ width, height })
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme })
        await log(page).getByRole('article').filter({ hasText: 'Release' }).scrollIntoViewIfNeeded()
        const violations = await axeViolations(page)
        const mine = violations.filter((v) => (v.impact === 'serious' || v.impact === 'critical') && v.nodes.some((n) => n.inMessageText))
        t.same(
          mine.map((v) => `${v.id}: ${v.nodes.filter((n) => n.inMessageText).map((n) => n.target)}`),
          [],
          `${where}, ${scheme}: nothing serious or critical in the messages' text`,
        )
        for (const v of violations.filter((v) => !mine.includes(v))) {
          t.comment(`${where}, ${scheme}: ${v.impact} ${v.id} (${v.help}): ${v.nodes.map((n) => n.target).join(', ')}`)
        }
        await page.screenshot({ path: `/tmp/fmt17-${where}-${scheme}.png` })
      }
    }
    await page.setViewportSize({ width: 1100, height: 720 })
    await page.emulateMedia({ colorScheme: 'light' })
  })

  t.same(person.problems, [], 'no console error, page error or foreign request')
})
