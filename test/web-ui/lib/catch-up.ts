/**
 * Offline catch-up seen from the page (issue 3): bob's machine is off (page closed, daemon
 * stopped) while alice posts 30 messages through the API. When he comes back, his page opens
 * at "New messages" above the first of them, with (30) in the tab title and "30 new" by the
 * room's name; once he scrolls to the newest the count drops to 0, on his machine's daemon
 * too. Then a message that arrives while his tab is hidden counts, and reading it on another
 * machine (the read position is replicated) clears it on this page.
 */
import type { Test } from 'tap'
import type { Locator, Page } from 'playwright-core'
import type { Message, PostMessageResponse, ReadPosition } from '../../../shared/index.js'
import type { Host, Lan } from '../../multihost/harness.js'
import { bearer, logIn, messages } from '../../multihost/lan-helpers.js'
import { log, messageBox, seesMessage, type Person } from './browser.js'

const SHOT = '/tmp/sochat-unread.png'
const COUNT = 30
const text = (i: number) => `catch-up ${String(i).padStart(2, '0')} of ${COUNT}`
const READ = '/api/v1/rooms/general/read'

export interface CatchUpSeat {
  person: Person
  host: Host
  username: string
  password: string
}

export async function catchUpScenario(t: Test, lan: Lan, writer: CatchUpSeat, reader: CatchUpSeat): Promise<void> {
  const b = reader.person.page
  const bobUrl = await reader.host.uiUrl()
  let last: Message | undefined
  let writerToken = ''
  /** Bob's session on his own machine, taken after its restart. */
  let readerToken = ''

  await t.test(`${reader.username}’s page marks what he has seen`, async (t) => {
    const token = (await logIn(reader.host, reader.username, reader.password)).token
    const pos = await lan.waitFor(
      'bob’s read position at the newest',
      async () => {
        const p = await readPosition(reader.host, token)
        return p.unread === 0 && p.seq > 0 ? p : undefined
      },
      10_000,
    )
    t.ok(pos.seq > 0, `read up to ${pos.seq}`)
    t.equal(await b.title(), 'SO-CHAT')
  })

  await t.test(`${reader.host.name} is off while ${writer.username} posts ${COUNT} messages`, async (t) => {
    await b.goto('about:blank')
    reader.person.outage = true
    await reader.host.stop()
    // A clean stop hands the relay over first; wait for it so every post is written at once.
    await lan.waitFor(`${writer.host.name} is the relay`, async () => (await writer.host.status()).role === 'relay', 20_000)
    writerToken = (await logIn(writer.host, writer.username, writer.password)).token
    for (let i = 1; i <= COUNT; i++) last = await post(writer.host, writerToken, text(i))
    await reader.host.start()
    readerToken = (await logIn(reader.host, reader.username, reader.password)).token
    await lan.waitFor(
      `${reader.host.name} caught up`,
      async () => (await messages(reader.host, readerToken, 5)).some((m) => m.text === text(COUNT)),
      20_000,
    )
    reader.person.outage = false
    t.pass(`${COUNT} posted, ${reader.host.name} has them`)
  })

  await t.test(`${reader.username} comes back: "New messages" above the first, (${COUNT}) in the title`, async (t) => {
    await b.goto(bobUrl)
    const divider = log(b).getByRole('separator', { name: 'New messages' })
    await divider.waitFor()
    await b.waitForFunction((n) => document.title === `(${n}) SO-CHAT`, COUNT)
    t.equal(await nextMessageText(divider), text(1), 'the divider is right above the first of them')
    t.notOk(await previousMessageText(divider).then((s) => s.startsWith('catch-up')), 'and below what he had read')
    await b
      .getByRole('heading', { name: /general/ })
      .getByText(`${COUNT} new`, { exact: true })
      .waitFor()
    t.ok(await inView(divider), 'the page opens at the divider')
    await b.screenshot({ path: SHOT })
    t.comment(`screenshot: ${SHOT}`)
    t.equal(await b.title(), `(${COUNT}) SO-CHAT`, 'nothing marked read before he scrolls')
  })

  await t.test('scrolled to the newest, the count drops to 0, on his daemon too', async (t) => {
    await log(b).hover()
    await b.mouse.wheel(0, 20_000)
    await seesMessage(b, text(COUNT))
    await b.waitForFunction(() => document.title === 'SO-CHAT')
    t.equal(await b.getByText(`${COUNT} new`).count(), 0, 'no count by the room’s name')
    const pos = await lan.waitFor(
      'bob’s daemon: unread 0',
      async () => {
        const p = await readPosition(reader.host, readerToken)
        return p.unread === 0 && p.seq >= last!.seq ? p : undefined
      },
      10_000,
    )
    t.equal(pos.unread, 0, `GET ${READ} on ${reader.host.name}: ${JSON.stringify(pos)}`)
    t.equal(await log(b).getByRole('separator', { name: 'New messages' }).count(), 1, 'the divider stays, calmly')
  })

  await t.test('hidden, a new message counts; read on another machine, it no longer does', async (t) => {
    await setHidden(b, true)
    const unseen = await post(writer.host, writerToken, 'while bob looks away')
    await b.waitForFunction(() => document.title === '(1) SO-CHAT')
    const divider = log(b).getByRole('separator', { name: 'New messages' })
    t.equal(await nextMessageText(divider), unseen.text, 'the divider moved above it')
    // Bob reads on the other machine: the mark travels through the relay to his page here.
    const elsewhere = (await logIn(writer.host, reader.username, reader.password)).token
    const res = await writer.host.api('PUT', READ, { seq: unseen.seq }, bearer(elsewhere))
    t.equal(res.status, 204, `PUT ${READ} on ${writer.host.name}`)
    await b.waitForFunction(() => document.title === 'SO-CHAT')
    t.pass('the count follows a read on another machine, tab still hidden')
    await setHidden(b, false)
  })

  await t.test('"Mark as read" clears the count and the divider at once', async (t) => {
    await setHidden(b, true)
    const more = await post(writer.host, writerToken, 'one more for bob')
    await b.waitForFunction(() => document.title === '(1) SO-CHAT')
    await b.getByRole('button', { name: 'Mark as read' }).click()
    t.equal(await b.title(), 'SO-CHAT', 'no count')
    t.equal(await log(b).getByRole('separator', { name: 'New messages' }).count(), 0, 'no divider')
    t.ok(await messageBox(b).evaluate((el) => el === document.activeElement), 'focus goes to the message box')
    await setHidden(b, false)
    await lan.waitFor(
      'bob’s daemon: read up to it, unread 0',
      async () => {
        const p = await readPosition(reader.host, readerToken)
        return p.seq >= more.seq && p.unread === 0
      },
      10_000,
    )
  })
}

async function post(host: Host, token: string, body: string): Promise<Message> {
  const res = await host.api<PostMessageResponse>('POST', '/api/v1/rooms/general/messages', { text: body }, bearer(token))
  if (res.status !== 201 || res.body.state !== 'sent')
    throw new Error(`${host.name}: post answered ${res.status}: ${JSON.stringify(res.body)}`)
  return res.body.message
}

async function readPosition(host: Host, token: string): Promise<ReadPosition> {
  const res = await host.api<ReadPosition>('GET', READ, undefined, bearer(token))
  if (res.status !== 200) throw new Error(`${host.name}: GET ${READ} answered ${res.status}: ${JSON.stringify(res.body)}`)
  return res.body
}

/** The text of the message row right below (or above) the divider, skipping day headings. */
function nextMessageText(divider: Locator): Promise<string> {
  return divider.evaluate((el) => {
    let n = el.nextElementSibling
    while (n && n.tagName !== 'ARTICLE') n = n.nextElementSibling
    return n?.querySelector('.msg-text')?.textContent ?? ''
  })
}

function previousMessageText(divider: Locator): Promise<string> {
  return divider.evaluate((el) => {
    let n = el.previousElementSibling
    while (n && n.tagName !== 'ARTICLE') n = n.previousElementSibling
    return n?.querySelector('.msg-text')?.textContent ?? ''
  })
}

/** Whether the element is inside the visible part of the message list. */
function inView(divider: Locator): Promise<boolean> {
  return divider.evaluate((el) => {
    const box = el.getBoundingClientRect()
    const view = el.closest('.scroller')!.getBoundingClientRect()
    return box.top >= view.top && box.bottom <= view.bottom
  })
}

/** Headless Chromium has no other tab to switch to: the page is told it is hidden, as a switch would. */
async function setHidden(page: Page, hidden: boolean): Promise<void> {
  // Values, not getters: tsx would wrap a getter in a helper the page does not have.
  await page.evaluate((h) => {
    const doc = document as unknown as Record<string, unknown>
    if (h) {
      Object.defineProperty(document, 'hidden', { configurable: true, value: true })
      Object.defineProperty(document, 'visibilityState', { configurable: true, value: 'hidden' })
    } else {
      delete doc.hidden
      delete doc.visibilityState
    }
    document.dispatchEvent(new Event('visibilitychange'))
  }, hidden)
}
