/**
 * Issue 3 seen from the pages: the relay's daemon is killed (SIGKILL) while both pages stay
 * open. The page on the surviving machine keeps working: a message typed in the gap shows
 * as waiting, then goes, and the page says the relay moved. When the dead machine comes back,
 * both pages have that message exactly once. Then a refusal by the relay, which a page cannot
 * provoke (it refuses bad drafts itself first), is played into the page's own feed.
 */
import type { Test } from 'tap'
import type { WebSocketRoute } from 'playwright-core'
import type { Lan } from '../../multihost/harness.js'
import { log, messageBox, oneRelay, seesMessage, type Person } from './browser.js'

const PENDING_SHOT = '/tmp/sochat-pending.png'
const NOTICE_SHOT = '/tmp/sochat-relay-moved.png'
const FAILED_SHOT = '/tmp/sochat-failed.png'
const GAP_TEXT = 'typed while the relay was gone'
const WAITING = 'waiting for the relay…'
const MOVED = /^(This machine is now the relay\.|The relay moved to .+\.)$/

export interface Seat {
  person: Person
  username: string
}

/** `seats[i]` is the page open on `lan.hosts[i]`. */
export async function failoverScenario(t: Test, lan: Lan, seats: Seat[]): Promise<void> {
  const relayIndex = await oneRelay(lan)
  const deadHost = lan.hosts[relayIndex]!
  const liveHost = lan.hosts[1 - relayIndex]!
  const dead = seats[relayIndex]!
  const live = seats[1 - relayIndex]!
  const p = live.person.page
  await p.evaluate(() => ((window as unknown as { sochatNoReload: number }).sochatNoReload = 7))

  await t.test(`the relay (${deadHost.name}) is killed; a message typed in the gap waits, then goes`, async (t) => {
    const notice = p.getByRole('status').filter({ hasText: MOVED })
    const noticeShown = notice.waitFor({ timeout: 25_000 }).then(() => p.screenshot({ path: NOTICE_SHOT }))
    dead.person.outage = true
    await deadHost.kill()
    await messageBox(p).fill(GAP_TEXT)
    await messageBox(p).press('Enter')
    const waiting = log(p).getByText(WAITING)
    if (
      await waiting.waitFor({ timeout: 6_000 }).then(
        () => true,
        () => false,
      )
    ) {
      await p.screenshot({ path: PENDING_SHOT })
      t.comment(`pending state caught: ${PENDING_SHOT}`)
    } else {
      t.comment('the gap was too short to see the pending state')
    }
    await lan.waitFor(
      'the gap message sent',
      async () => (await log(p).getByText(GAP_TEXT, { exact: true }).count()) === 1 && (await waiting.count()) === 0,
      25_000,
    )
    t.equal(
      await log(p)
        .getByText(/^Not sent/)
        .count(),
      0,
      'nothing marked as not sent',
    )
    t.equal(await messageBox(p).inputValue(), '', 'the box is free again')
    await noticeShown
    t.comment(`relay notice: "${await notice.textContent()}" (${NOTICE_SHOT})`)
    await p.getByText(`Relay: ${liveHost.name} (this machine)`).waitFor()
  })

  await t.test(`${deadHost.name} comes back; the message is on both pages exactly once`, async (t) => {
    await deadHost.start()
    await oneRelay(lan)
    const q = dead.person.page
    await q.reload()
    await q.getByRole('button', { name: 'Log out' }).waitFor()
    dead.person.outage = false
    await seesMessage(q, GAP_TEXT)
    // Waited for rather than counted at once: the returning daemon may still merge its log
    // (a `history` event starts the page's room over). Once, a reloaded page also drew a live
    // message before its room was shown and took it away when the room opened (fixed:
    // Conversation.shows; test/web-ui/timeline/first-draw.browser.test.ts); a message lost or
    // doubled for good still fails here after 10 s.
    await lan.waitFor(
      'the gap message exactly once on both pages',
      async () =>
        (await log(p).getByText(GAP_TEXT, { exact: true }).count()) === 1 &&
        (await log(q).getByText(GAP_TEXT, { exact: true }).count()) === 1,
      10_000,
    )
    for (const [name, page] of [
      [live.username, p],
      [dead.username, q],
    ] as const) {
      t.equal(await log(page).getByText(GAP_TEXT, { exact: true }).count(), 1, `${name}: exactly once`)
      t.equal(await log(page).getByText(WAITING).count(), 0, `${name}: no pending marker`)
    }
    t.equal(
      await p.evaluate(() => (window as unknown as { sochatNoReload?: number }).sochatNoReload),
      7,
      'the surviving page was never reloaded',
    )
  })

  await t.test('a refused message says why, and can be copied back and dismissed', (t) => refusal(t, live))
}

async function refusal(t: Test, seat: Seat): Promise<void> {
  const p = seat.person.page
  const queued = { id: 'refusedByTheRelay01', room: 'general', author: seat.username, text: 'this one the relay refused', ts: Date.now() }
  const reason = 'The message is over 16 KiB; shorten it or send it as a file.'
  let feed: WebSocketRoute | undefined
  await p.route('**/api/v1/outbox', (route) => route.fulfill({ json: { pending: [queued] } }))
  await p.routeWebSocket(/\/api\/v1\/events$/, (ws) => {
    ws.connectToServer() // everything else passes through unchanged
    feed = ws
  })
  await p.reload()
  const row = log(p).getByRole('article').filter({ hasText: queued.text })
  await row.getByText(WAITING).waitFor()
  t.ok(feed, 'the page’s feed goes through the test')
  feed!.send(JSON.stringify({ type: 'failed', id: queued.id, code: 'message_too_large', message: reason }))
  await row.getByText(`Not sent: ${reason}`).waitFor()
  t.equal(await row.getByText(WAITING).count(), 0, 'no longer said to be waiting')
  await p.screenshot({ path: FAILED_SHOT })
  t.comment(`failed state: ${FAILED_SHOT}`)
  await row.getByRole('button', { name: 'Copy text back to the composer' }).click()
  t.equal(await messageBox(p).inputValue(), queued.text, 'the text is back in the box')
  await row.getByRole('button', { name: 'Dismiss' }).click()
  await row.waitFor({ state: 'detached' })
  t.ok(await messageBox(p).evaluate((el) => el === document.activeElement), 'focus goes to the box')
  await messageBox(p).fill('')
}
