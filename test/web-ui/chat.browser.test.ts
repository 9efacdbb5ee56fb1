/**
 * Two people chat through the real page on two simulated machines: alice in a browser on
 * host 1's page, bob in another browser on host 2's. Everything is driven the way a person
 * (or a screen reader) finds it: by label and role, never by CSS selector. Then bob's machine
 * is off while alice writes on (lib/catch-up.ts: unread counts, "New messages"), and at the
 * end the relay's daemon is killed under both open pages (lib/failover.ts, issue 3).
 *
 * Needs Debian's chromium at /usr/bin/chromium (never a downloaded browser) and a LAN the
 * multihost harness can build (root, `ip netns`); skips with the reason otherwise.
 */
import t from 'tap'
import { MAX_MESSAGE_BYTES } from '../../shared/index.js'
import { createLan, type Host } from '../multihost/harness.js'
import { log, logIn, messageBox, oneRelay, openBrowser, seesMessage, send, signUp, skipReason } from './lib/browser.js'
import { catchUpScenario } from './lib/catch-up.js'
import { failoverScenario } from './lib/failover.js'

const SCREENSHOT = '/tmp/sochat-chat.png'

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

  await t.test('the composer completes :short codes: and @names from the keyboard', async (t) => {
    await messageBox(a).pressSequentially('great :thu')
    const suggestions = a.getByRole('listbox', { name: 'Suggestions' })
    await suggestions.waitFor()
    t.equal(
      await suggestions.getByRole('option').first().textContent(),
      '👍 :thumbsup:',
      'the best match comes first (GitHub and Slack spell it so)',
    )
    t.equal(await messageBox(a).getAttribute('aria-expanded'), 'true', 'the box says a list is open')
    await messageBox(a).press('Enter')
    t.equal(await messageBox(a).inputValue(), 'great 👍', 'Enter took the suggestion and did not send')
    await messageBox(a).pressSequentially(' @b')
    await a.getByRole('option', { name: '@bob' }).waitFor()
    await a.screenshot({ path: '/tmp/sochat-completion.png' })
    t.comment('screenshot: /tmp/sochat-completion.png')
    await messageBox(a).press('Tab')
    t.equal(await messageBox(a).inputValue(), 'great 👍 @bob ', 'Tab took bob, with a space after')
    await messageBox(a).pressSequentially(':sm')
    await a.getByRole('listbox', { name: 'Suggestions' }).waitFor()
    await messageBox(a).press('Escape')
    t.equal(await a.getByRole('listbox', { name: 'Suggestions' }).isVisible(), false, 'Escape closes the list')
    await messageBox(a).fill('great 👍 @bob ')
    await messageBox(a).pressSequentially('thanks')
    await messageBox(a).press('Enter')
    const row = log(b).getByRole('article').filter({ hasText: 'great 👍' })
    await row.waitFor()
    t.equal(await row.locator('.msg-text').textContent(), 'great 👍 @bob thanks', 'sent as typed, completions included')
  })

  await t.test('the emoji picker searches by name', async (t) => {
    await b.getByRole('button', { name: 'Emoji', exact: true }).click()
    await b.getByRole('searchbox', { name: 'Search emoji' }).fill('popper')
    t.equal(await b.getByRole('button', { name: 'thumbs up', exact: true }).isVisible(), false, 'non-matching emoji are hidden')
    await b.keyboard.press('Enter')
    t.equal(await messageBox(b).inputValue(), '🎉', 'Enter in the search took the match')
    await messageBox(b).fill('')
  })

  await t.test('"bob is typing…" shows while bob types, and not once he turns it off', async (t) => {
    const line = a.locator('#typing-line')
    await messageBox(b).pressSequentially('writing a long thought')
    await a.getByText('bob is typing…').waitFor()
    await a.screenshot({ path: '/tmp/sochat-typing.png' })
    t.comment('screenshot: /tmp/sochat-typing.png')
    await messageBox(b).press('Enter')
    await seesMessage(a, 'writing a long thought')
    t.equal(await line.textContent(), '', 'gone once his message arrived')
    await b.getByRole('checkbox', { name: 'Let others see when I’m typing' }).uncheck()
    await messageBox(b).pressSequentially('private draft')
    await a.waitForTimeout(1500)
    t.equal(await line.textContent(), '', 'nothing shown while bob does not share it')
    await messageBox(b).fill('')
    await b.getByRole('checkbox', { name: 'Let others see when I’m typing' }).check()
  })

  await t.test('alice sets herself away; bob sees it, and sees her come back', async (t) => {
    const aliceInBobsList = b
      .getByRole('list')
      .filter({ has: b.getByText('alice', { exact: true }) })
      .getByRole('listitem')
      .filter({ hasText: 'alice' })
    await a.getByRole('button', { name: 'Set yourself away' }).click()
    t.equal(await a.getByRole('button', { name: 'Set yourself active' }).getAttribute('aria-pressed'), 'true')
    await aliceInBobsList.filter({ hasText: '(away)' }).waitFor()
    await b.screenshot({ path: '/tmp/sochat-away.png' })
    t.comment('screenshot: /tmp/sochat-away.png')
    await a.getByRole('button', { name: 'Set yourself active' }).click()
    await aliceInBobsList.filter({ hasNotText: '(away)' }).waitFor()
    t.equal(await aliceInBobsList.textContent(), 'alice', 'no longer marked away')
  })

  await t.test('markup in a message is shown as text', async (t) => {
    await messageBox(a).fill('<b>not bold</b>')
    await messageBox(a).press('Enter')
    await seesMessage(b, '<b>not bold</b>')
    t.equal(await log(b).locator('b').count(), 0, 'no <b> element in bob’s log')
    t.equal(await log(a).locator('b').count(), 0, 'no <b> element in alice’s log')
  })

  await t.test('links open safely in a new tab; a mention of bob is highlighted for bob only', async (t) => {
    await messageBox(a).fill('@bob the notes: https://example.org/notes. Not a link: javascript:alert(1)')
    await messageBox(a).press('Enter')
    const row = (page: typeof a) => log(page).getByRole('article').filter({ hasText: 'the notes' })
    await row(b).waitFor()
    const link = row(b).getByRole('link', { name: 'https://example.org/notes' })
    t.equal(await link.getAttribute('href'), 'https://example.org/notes', 'the full stop is not part of the link')
    t.equal(await link.getAttribute('target'), '_blank')
    t.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow')
    t.equal(await row(b).getByRole('link').count(), 1, 'javascript: stays text')
    t.match(await row(b).getAttribute('class'), /mentions-me/, 'bob sees the message marked as mentioning him')
    t.notMatch(await row(a).getAttribute('class'), /mentions-me/, 'alice does not')
    await b.screenshot({ path: '/tmp/sochat-mention.png' })
    t.comment('screenshot: /tmp/sochat-mention.png')
  })

  await t.test('Shift+Enter is a new line, kept as one message', async (t) => {
    await messageBox(a).pressSequentially('line one')
    await messageBox(a).press('Shift+Enter')
    await messageBox(a).pressSequentially('line two')
    await messageBox(a).press('Enter')
    await seesMessage(b, 'line one\nline two')
    // biome-ignore lint/performance/useDomNodeTextContent: innerText is what is rendered, line break included
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
    // The cookie alone opens nothing (daemon/http/auth.ts): the page restores its session with
    // the CSRF token it kept, and sends it on GETs too.
    const sentOnGet = (path: string) =>
      a
        .waitForRequest((r) => r.method() === 'GET' && new URL(r.url()).pathname === path)
        .then(async (r) => (await r.allHeaders())['x-csrf-token'])
    const restore = sentOnGet('/api/v1/sessions/current')
    const rooms = sentOnGet('/api/v1/rooms')
    await a.reload()
    await a.getByRole('button', { name: 'Log out' }).waitFor()
    const kept = await a.evaluate(() => localStorage.getItem('sochat.csrf'))
    t.match(kept, /^[\w-]{20,}$/, 'the page kept its CSRF token')
    t.equal(await restore, kept, 'the session is restored with X-CSRF-Token')
    t.equal(await rooms, kept, 'and a GET of the rooms sends it too')
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
    t.equal(await a.evaluate(() => localStorage.getItem('sochat.csrf')), null, 'and the CSRF token is forgotten')
  })

  await t.test('a wrong password is explained in an alert', async (t) => {
    await a.getByLabel('Username').fill('alice')
    await a.getByLabel('Password').fill('not-her-password')
    await a.getByRole('button', { name: 'Log in' }).click()
    await a.getByRole('alert').filter({ hasText: /\S/ }).waitFor()
    t.equal(await a.getByRole('button', { name: 'Log out' }).count(), 0, 'not logged in')
  })

  await t.test('alice logs in again', async () => {
    await logIn(a, 'alice', 'alice-password-1')
  })

  await catchUpScenario(
    t,
    lan,
    { person: alice, host: h1, username: 'alice', password: 'alice-password-1' },
    { person: bob, host: h2, username: 'bob', password: 'bob-password-1' },
  )

  await failoverScenario(t, lan, [
    { person: alice, username: 'alice' },
    { person: bob, username: 'bob' },
  ])

  t.same(alice.problems, [], 'alice’s page: no errors, no foreign requests')
  t.same(bob.problems, [], 'bob’s page: no errors, no foreign requests')
})
