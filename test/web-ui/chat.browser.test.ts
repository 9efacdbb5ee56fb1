/**
 * Two people chat through the real page on two simulated machines: alice in a browser on
 * host 1's page, bob in another browser on host 2's. Everything is driven the way a person
 * (or a screen reader) finds it: by label and role, never by CSS selector.
 *
 * Needs Debian's chromium at /usr/bin/chromium (never a downloaded browser) and a LAN the
 * multihost harness can build (root, `ip netns`); skips with the reason otherwise.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t, { type Test } from 'tap'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { MAX_MESSAGE_BYTES } from '../../shared/index.js'
import { canBuildLan, createLan, type Host, type Lan } from '../multihost/harness.js'

const CHROMIUM = '/usr/bin/chromium'
const SCREENSHOT = '/tmp/sochat-chat.png'
const STEP_TIMEOUT_MS = 20_000

function skipReason(): string | false {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (apt-get install chromium)`
  const lan = canBuildLan()
  return lan.ok ? false : `cannot build a LAN: ${lan.reason}`
}

interface Person {
  page: Page
  /** Console errors, page errors (CSP violations land here) and requests to other origins. */
  problems: string[]
  /** While set, failed connections are expected (its daemon is down) and not problems. */
  outage: boolean
}

const CONNECTION_FAILED = /net::ERR_|WebSocket connection to .* failed/

/** One browser per person, each with its own fresh profile, closed and deleted at teardown. */
async function openBrowser(t: Test, url: string): Promise<Person> {
  const profile = mkdtempSync(path.join(tmpdir(), 'sochat-chromium-'))
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
    viewport: { width: 1100, height: 720 },
  })
  t.teardown(async () => {
    await context.close().catch(() => undefined)
    rmSync(profile, { recursive: true, force: true })
  })
  const page = context.pages()[0] ?? (await context.newPage())
  page.setDefaultTimeout(STEP_TIMEOUT_MS)
  const person: Person = { page, problems: [], outage: false }
  const { problems } = person
  const origin = new URL(url).origin
  page.on('console', (m) => {
    if (m.type() !== 'error') return
    // A logged-out page asks for its session and gets 401: expected, and Chromium logs it.
    if (/status of 401/.test(m.text()) || (person.outage && CONNECTION_FAILED.test(m.text()))) return
    problems.push(`console: ${m.text()}`)
  })
  page.on('pageerror', (e) => void problems.push(`page error: ${e.message}`))
  page.on('request', (r) => {
    const u = r.url()
    if (!u.startsWith('data:') && new URL(u).origin !== origin) problems.push(`request to another origin: ${u}`)
  })
  page.on('websocket', (ws) => {
    if (new URL(ws.url()).host !== new URL(url).host) problems.push(`websocket to another host: ${ws.url()}`)
  })
  await page.goto(url)
  return person
}

async function signUp(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign up' }).click()
  await page.getByRole('button', { name: 'Log out' }).waitFor()
}

const log = (page: Page) => page.getByRole('log')
const messageBox = (page: Page) => page.getByLabel('Message', { exact: true })
const send = (page: Page) => page.getByRole('button', { name: 'Send', exact: true })
const seesMessage = (page: Page, text: string) => log(page).getByText(text, { exact: true }).waitFor()

/** Waits until the daemons agree on exactly one relay; returns the index of its host. */
async function oneRelay(lan: Lan): Promise<number> {
  return lan.waitFor('one relay and one client', async () => {
    const roles = await Promise.all(lan.hosts.map(async (h) => (await h.status()).role))
    const sorted = [...roles].sort().join(',')
    return sorted === 'client,relay' ? roles.indexOf('relay') : undefined
  }, 30_000)
}

t.test('two people chat through the page on two machines', { skip: skipReason() }, async (t) => {
  const lan = await createLan(t, 2)
  const [h1, h2] = lan.hosts as [Host, Host]
  await Promise.all([h1.start(), h2.start()])
  const relayIndex = await oneRelay(lan)
  const alice = await openBrowser(t, await h1.uiUrl())
  const bob = await openBrowser(t, await h2.uiUrl())
  const a = alice.page
  const b = bob.page

  await t.test('both sign up through the form and land in the chat', async (t) => {
    await signUp(a, 'alice', 'alice-password-1')
    await signUp(b, 'bob', 'bob-password-1')
    t.equal(await a.getByRole('banner').getByText('alice', { exact: true }).count(), 1, 'header names alice')
  })

  await t.test('the sidebar shows who is online and which machine is the relay', async (t) => {
    const online = a.getByRole('complementary').getByRole('list')
    await online.getByText('bob', { exact: true }).waitFor()
    await online.getByText('alice', { exact: true }).waitFor()
    const relayPage = relayIndex === 0 ? a : b
    const clientPage = relayIndex === 0 ? b : a
    await relayPage.getByText(/^Relay: .+ \(this machine\)$/).waitFor()
    await clientPage.getByText(/^Relay: /).waitFor()
    t.equal(await clientPage.getByText('(this machine)').count(), 0, 'the client page does not claim the relay')
  })

  // Set now and read at the end: if it survived, bob's page was never reloaded.
  await b.evaluate(() => ((window as unknown as { sochatNoReload: number }).sochatNoReload = 42))

  await t.test('alice types and clicks Send; bob sees it live', async (t) => {
    await messageBox(a).pressSequentially('hello bob 👋')
    await send(a).click()
    await seesMessage(b, 'hello bob 👋')
    await seesMessage(a, 'hello bob 👋')
    t.equal(await messageBox(a).inputValue(), '', 'the box is empty once sent')
    await log(b).getByText('alice', { exact: true }).first().waitFor()
  })

  await t.test('bob answers with an emoji from the picker; alice sees it', async (t) => {
    await messageBox(b).pressSequentially('hi alice ')
    await b.getByRole('button', { name: 'Emoji', exact: true }).click()
    await b.getByRole('button', { name: 'thumbs up', exact: true }).click()
    t.equal(await b.getByRole('button', { name: 'thumbs up', exact: true }).isVisible(), false, 'picker closes')
    // Typing on proves focus went back to the box with the caret after the emoji.
    await messageBox(b).pressSequentially(' see you')
    t.equal(await messageBox(b).inputValue(), 'hi alice 👍 see you')
    await messageBox(b).press('Enter')
    await seesMessage(a, 'hi alice 👍 see you')
  })

  await t.test('markup in a message is shown as text', async (t) => {
    await messageBox(a).fill('<b>not bold</b>')
    await messageBox(a).press('Enter')
    await seesMessage(b, '<b>not bold</b>')
    t.equal(await log(b).locator('b').count(), 0, 'no <b> element in bob’s log')
    t.equal(await log(a).locator('b').count(), 0, 'no <b> element in alice’s log')
  })

  await t.test('Shift+Enter is a new line, kept as one message', async (t) => {
    await messageBox(a).pressSequentially('line one')
    await messageBox(a).press('Shift+Enter')
    await messageBox(a).pressSequentially('line two')
    await messageBox(a).press('Enter')
    await seesMessage(b, 'line one\nline two')
    const shown = await log(b).getByText('line one\nline two', { exact: true }).innerText()
    t.equal(shown, 'line one\nline two', 'the line break is kept on screen')
  })

  await t.test('empty and over-size drafts are refused before sending', async (t) => {
    await send(a).click()
    await a.getByRole('alert').filter({ hasText: 'Write something' }).waitFor()
    await messageBox(a).fill('x'.repeat(MAX_MESSAGE_BYTES + 1))
    await a.getByRole('alert').filter({ hasText: 'too long' }).waitFor()
    await send(a).click()
    t.equal(await messageBox(a).inputValue(), 'x'.repeat(MAX_MESSAGE_BYTES + 1), 'draft kept')
    await messageBox(a).fill('')
    t.equal(await log(b).getByText(/^x+$/).count(), 0, 'nothing over-size reached bob')
  })

  await t.test('bob’s page was never reloaded', async (t) => {
    t.equal(await b.evaluate(() => (window as unknown as { sochatNoReload?: number }).sochatNoReload), 42)
  })

  await t.test('alice’s page reconnects by itself after her daemon restarts', async (t) => {
    const connection = a.getByRole('status').filter({ hasText: /^(Live|Connecting…|Reconnecting…)$/ })
    alice.outage = true
    await h1.stop()
    await connection.filter({ hasText: 'Reconnecting…' }).waitFor()
    await messageBox(b).fill('sent while alice was away')
    await messageBox(b).press('Enter')
    await seesMessage(b, 'sent while alice was away')
    await h1.start()
    await connection.filter({ hasText: 'Live' }).waitFor({ timeout: 30_000 })
    alice.outage = false
    await seesMessage(a, 'sent while alice was away')
    t.equal(await a.getByRole('button', { name: 'Log out' }).count(), 1, 'still logged in')
    await oneRelay(lan)
  })

  await t.test('after a reload the history is still there', async (t) => {
    await a.reload()
    await a.getByRole('button', { name: 'Log out' }).waitFor()
    for (const text of ['hello bob 👋', 'hi alice 👍 see you', '<b>not bold</b>']) await seesMessage(a, text)
    t.pass('session restored with history')
    await a.getByRole('complementary').getByRole('list').getByText('bob', { exact: true }).waitFor()
    await a.screenshot({ path: SCREENSHOT })
    t.comment(`screenshot: ${SCREENSHOT}`)
  })

  await t.test('Log out returns to the form, and stays there after reload', async (t) => {
    await a.getByRole('button', { name: 'Log out' }).click()
    await a.getByLabel('Username').waitFor()
    t.equal(await log(a).isVisible(), false, 'the log is gone')
    await a.reload()
    await a.getByLabel('Username').waitFor()
    t.equal(await a.getByRole('button', { name: 'Log out' }).count(), 0, 'still logged out')
  })

  await t.test('a wrong password is explained in an alert', async (t) => {
    await a.getByLabel('Username').fill('alice')
    await a.getByLabel('Password').fill('not-her-password')
    await a.getByRole('button', { name: 'Log in' }).click()
    await a.getByRole('alert').filter({ hasText: /\S/ }).waitFor()
    t.equal(await a.getByRole('button', { name: 'Log out' }).count(), 0, 'not logged in')
  })

  t.same(alice.problems, [], 'alice’s page: no errors, no foreign requests')
  t.same(bob.problems, [], 'bob’s page: no errors, no foreign requests')
})
