/**
 * History loads as you scroll up: a room with more messages than one page opens on the
 * newest hundred, and scrolling to the top brings the older ones in by themselves, without
 * moving what the person was looking at. (Chromium via playwright-core, one host.)
 */
import t from 'tap'
import { createLan, type Host } from '../../multihost/harness.js'
import { logIn as apiLogIn, post, signUp as apiSignUp } from '../../multihost/lan-helpers.js'
import { log, logIn, openBrowser, seesMessage, skipReason } from '../lib/browser.js'

const COUNT = 130
const text = (i: number) => `history ${String(i).padStart(3, '0')}`

t.test('older messages load as you scroll up', { skip: skipReason() }, async (t) => {
  const lan = await createLan(t, 1)
  const h1 = lan.hosts[0] as Host
  await h1.start()
  await lan.waitFor('a relay', async () => ((await h1.status()).role === 'relay' ? true : Promise.reject(new Error('not yet'))), 20_000)
  await apiSignUp(h1, 'carol', 'history password')
  const token = (await apiLogIn(h1, 'carol', 'history password')).token
  for (let i = 1; i <= COUNT; i++) await post(h1, token, text(i))

  const { page } = await openBrowser(t, await h1.uiUrl())
  await logIn(page, 'carol', 'history password')
  await seesMessage(page, text(COUNT))
  const rows = log(page).getByRole('article')
  t.equal(await rows.count(), 100, 'one page: the newest hundred')
  t.equal(await log(page).getByText(text(1), { exact: true }).count(), 0, 'the oldest is not loaded yet')

  const scroller = page.locator('#scroller')
  const anchor = log(page).getByText(text(31), { exact: true })
  await scroller.evaluate((el) => {
    el.scrollTop = 0
  })
  const before = (await anchor.boundingBox())!.y
  await log(page).getByText(text(1), { exact: true }).waitFor({ state: 'attached' })
  t.equal(await rows.count(), COUNT, 'the rest came in by itself, no button pressed')
  const after = (await anchor.boundingBox())!.y
  t.ok(Math.abs(after - before) < 5, `what was on screen stayed put (${Math.round(before)} → ${Math.round(after)} px)`)
  t.ok(await scroller.evaluate((el) => el.scrollTop > 0), 'the older messages are above, to scroll on into')
})
