/**
 * A person's first minute on a machine where SO-CHAT was just installed: the page is open
 * while the daemon is still looking for other machines (no relay yet), they sign up at once,
 * the page says what it is waiting for, and they are in. (Chromium via playwright-core; one
 * daemon on loopback, mDNS off.)
 */
import t from 'tap'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SLOW_SIGN_UP } from '../../web-ui/src/app/session.js'
import { startLocalDaemon } from '../daemon/http/local-daemon.js'
import { CHROMIUM, messageBox, openBrowser } from './lib/browser.js'

t.test(
  'signing up in the first seconds: the page says it is waiting, then lets the person in',
  { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing` },
  async (t) => {
    const root = mkdtempSync(join(tmpdir(), 'sochat-first-page-'))
    t.teardown(() => rmSync(root, { recursive: true, force: true }))
    const daemon = await startLocalDaemon(t, join(root, 'lone'), 'lone')
    const { page, problems } = await openBrowser(t, daemon.ui)
    // However fast this machine reaches the daemon's first seconds, the answer is held a moment
    // longer, so the waiting words are always seen (the daemon's side: test/daemon/http/first-run).
    await page.route('**/api/v1/accounts', async (route) => {
      await new Promise((r) => setTimeout(r, 1500))
      await route.continue()
    })
    await page.getByLabel('Username').fill('first')
    await page.getByLabel('Password').fill('first run password')
    await page.getByRole('button', { name: 'Sign up' }).click()
    const waiting = page.getByRole('status').filter({ hasText: 'looking for other machines on this network' })
    await waiting.waitFor()
    t.equal(await waiting.textContent(), SLOW_SIGN_UP, 'the page says what it is waiting for, politely (a status, not an error)')
    t.equal(await page.getByRole('alert').filter({ hasText: /\S/ }).count(), 0, 'and shows no error')
    await page.screenshot({ path: '/tmp/first-run-waiting.png' })
    t.comment('screenshot: /tmp/first-run-waiting.png')
    await page.getByRole('button', { name: 'Log out' }).waitFor()
    t.ok(await messageBox(page).isVisible(), 'then the person is in, with the message box')
    t.equal(daemon.status().role, 'relay', 'this lone daemon became the relay')
    t.same(problems, [], 'no console errors or foreign requests')
  },
)
