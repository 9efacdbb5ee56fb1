/**
 * Display names and statuses in the page (issue 17 item 6), in Chromium (one host, two people):
 * alice sets hers in the Profile dialog by keyboard alone; bob's open page shows "Alice Martin
 * @alice" on her message at once (the live feed), and her status in People; at 390 px the
 * Profile dialog is reached from the ⋯ menu; a refusal is said in the dialog; axe finds
 * nothing with the dialog open, light and dark, phone and desktop. Screenshots in
 * /tmp/profiles17-*.png.
 */
import t from 'tap'
import type { Page } from 'playwright-core'
import { createLan, type Host } from '../../multihost/harness.js'
import { logIn as apiLogIn, post, signUp as apiSignUp } from '../../multihost/lan-helpers.js'
import { axeViolations } from '../format/page-checks.js'
import { log, logIn, messageBox, openBrowser, seesMessage, skipReason } from '../lib/browser.js'

const PASSWORD = 'profiles password'
const PHONE = { width: 390, height: 844 }
const DESKTOP = { width: 1100, height: 720 }
const dialog = (p: Page) => p.getByRole('dialog', { name: 'Profile' })
const authorOf = (p: Page, text: string) => log(p).getByRole('article').filter({ hasText: text }).first().locator('.msg-author')
const shot = async (p: Page, name: string, tt: { comment: (s: string) => void }) => {
  await p.screenshot({ path: `/tmp/profiles17-${name}.png` })
  tt.comment(`screenshot: /tmp/profiles17-${name}.png`)
}

async function axeLines(p: Page, where: string): Promise<string[]> {
  await p.mouse.move(1, 1)
  return (await axeViolations(p)).map((v) => `${where}: ${v.id} (${v.impact}): ${v.nodes.map((n) => n.target).join(', ')}`)
}

t.test('display names and statuses', { skip: skipReason() }, async (t) => {
  const lan = await createLan(t, 1)
  const h1 = lan.hosts[0] as Host
  await h1.start()
  await lan.waitFor('a relay', async () => ((await h1.status()).role === 'relay' ? true : Promise.reject(new Error('not yet'))), 20_000)
  await apiSignUp(h1, 'alice', PASSWORD)
  await apiSignUp(h1, 'bob', PASSWORD)
  const aliceToken = (await apiLogIn(h1, 'alice', PASSWORD)).token
  await post(h1, aliceToken, 'before any profile')

  const alice = (await openBrowser(t, await h1.uiUrl())).page
  const bob = (await openBrowser(t, await h1.uiUrl())).page
  await logIn(alice, 'alice', PASSWORD)
  await logIn(bob, 'bob', PASSWORD)
  await seesMessage(bob, 'before any profile')
  t.equal((await authorOf(bob, 'before any profile').textContent())?.trim(), 'alice', 'the username alone while she has no display name')

  await t.test('alice sets hers by keyboard; a refusal is said in the dialog', async (t) => {
    const open = alice.getByRole('button', { name: 'Profile…' })
    await open.focus()
    await alice.keyboard.press('Enter')
    await dialog(alice).waitFor()
    t.equal(await alice.evaluate(() => document.activeElement?.id), 'profile-display-name', 'the caret is in Display name')
    await alice.keyboard.type('@bob')
    await alice.keyboard.press('Enter')
    await dialog(alice).getByRole('alert').filter({ hasText: "bob's username" }).waitFor()
    t.pass("'@bob' is refused in words: it is bob's username")
    await alice.getByLabel('Display name').fill('')
    await alice.keyboard.type('Alice Martin')
    await alice.keyboard.press('Tab')
    await alice.keyboard.type('📅')
    await alice.keyboard.press('Tab')
    await alice.keyboard.type('in a meeting')
    await alice.keyboard.press('Enter')
    await dialog(alice).waitFor({ state: 'hidden' })
    t.equal(await alice.evaluate(() => document.activeElement?.textContent), 'Profile…', 'focus goes back to the Profile button')
  })

  await t.test("bob's open page shows it beside her username, at once", async (t) => {
    const author = authorOf(bob, 'before any profile')
    await author.locator('.display-name', { hasText: 'Alice Martin' }).waitFor()
    t.equal((await author.textContent())?.trim(), 'Alice Martin @alice', 'the display name, then the username')
    await messageBox(alice).focus()
    await alice.keyboard.type('after the profile')
    await alice.keyboard.press('Enter')
    await seesMessage(bob, 'after the profile')
    t.equal((await authorOf(bob, 'after the profile').textContent())?.trim(), 'Alice Martin @alice', 'on her new message too')
    await bob.getByRole('button', { name: 'People and group messages' }).click()
    const people = bob.getByRole('dialog', { name: 'People' })
    await people.getByText('📅 in a meeting').waitFor()
    t.pass('her status in People')
    await shot(bob, 'people-desktop', t)
    await bob.keyboard.press('Escape')
    await shot(bob, 'message-desktop', t)
  })

  await t.test('at 390 px: the Profile dialog from the ⋯ menu; axe clean with it open, light and dark', async (t) => {
    const lines: string[] = []
    for (const [size, where] of [
      [PHONE, 'phone'],
      [DESKTOP, 'desktop'],
    ] as const) {
      await bob.setViewportSize(size)
      if (where === 'phone') await bob.getByRole('button', { name: 'Your account' }).click()
      await bob.getByRole('button', { name: 'Profile…' }).click()
      await dialog(bob).waitFor()
      for (const scheme of ['light', 'dark'] as const) {
        await bob.emulateMedia({ colorScheme: scheme })
        lines.push(...(await axeLines(bob, `profile dialog ${where} ${scheme}`)))
      }
      await shot(bob, `dialog-${where}`, t)
      await bob.keyboard.press('Escape')
      await dialog(bob).waitFor({ state: 'hidden' })
      lines.push(...(await axeLines(bob, `messages ${where}`)))
    }
    t.same(lines, [], 'no WCAG 2.1 A/AA violation')
    await bob.setViewportSize(PHONE)
    await bob.emulateMedia({ colorScheme: 'light' })
    t.equal(
      (await authorOf(bob, 'after the profile').textContent())?.trim(),
      'Alice Martin @alice',
      'the username is beside it at 390 px too',
    )
    await shot(bob, 'message-phone', t)
  })
})
