/**
 * Helpers for the browser tests: a real Chromium per person (Debian's, never a downloaded
 * one), watched for errors and foreign requests, and the page found the way a person or a
 * screen reader finds it: by label and role, never by CSS selector.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Test } from 'tap'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { canBuildLan, type Lan } from '../../multihost/harness.js'

export const CHROMIUM = '/usr/bin/chromium'
const STEP_TIMEOUT_MS = 20_000

export function skipReason(): string | false {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (apt-get install chromium)`
  const lan = canBuildLan()
  return lan.ok ? false : `cannot build a LAN: ${lan.reason}`
}

export interface Person {
  page: Page
  /** Console errors, page errors (CSP violations land here) and requests to other origins. */
  problems: string[]
  /** While set, failed connections are expected (its daemon is down) and not problems. */
  outage: boolean
}

const CONNECTION_FAILED = /net::ERR_|WebSocket connection to .* failed/

/**
 * One browser per person, each with its own fresh profile, closed and deleted at teardown.
 * `bypassCSP` turns the page's Content-Security-Policy off, to show that what the page draws is
 * safe by construction and not only because the CSP would refuse it.
 */
export async function openBrowser(t: Test, url: string, options: { bypassCSP?: boolean } = {}): Promise<Person> {
  const profile = mkdtempSync(path.join(tmpdir(), 'sochat-chromium-'))
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
    viewport: { width: 1100, height: 720 },
    bypassCSP: options.bypassCSP ?? false,
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

/**
 * What shows once logged in: "Log out" in the header, or at phone width the "Your account"
 * menu button that holds it (issue 17); exactly one of them is visible at a time.
 */
export const loggedIn = (page: Page) => page.getByRole('button', { name: 'Log out' }).or(page.getByRole('button', { name: 'Your account' }))

export async function signUp(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign up' }).click()
  await loggedIn(page).waitFor()
}

export async function logIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Log in' }).click()
  await loggedIn(page).waitFor()
}

export const log = (page: Page) => page.getByRole('log')
export const messageBox = (page: Page) => page.getByLabel('Message', { exact: true })
export const send = (page: Page) => page.getByRole('button', { name: 'Send', exact: true })
export const seesMessage = (page: Page, text: string) => log(page).getByText(text, { exact: true }).waitFor()

/** Waits until the daemons agree on exactly one relay; returns the index of its host. */
export async function oneRelay(lan: Lan): Promise<number> {
  return lan.waitFor(
    'one relay and one client',
    async () => {
      const roles = await Promise.all(lan.hosts.map(async (h) => (await h.status()).role))
      const sorted = [...roles].sort().join(',')
      return sorted === 'client,relay' ? roles.indexOf('relay') : undefined
    },
    30_000,
  )
}
