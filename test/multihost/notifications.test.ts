/**
 * OS notifications, end to end: a message posted on h1 becomes a notification on h2, whose
 * daemon runs in a private desktop session (D-Bus bus, Debian's dunst as the notification
 * server, dbus-monitor recording each Notify call). A burst becomes one summary, Do not
 * disturb silences plain messages but not mentions, a click on a note (dunst's default action)
 * opens the page at the note's room, and h1, with no notification service at all, says so
 * once in its log and keeps working.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { AGENT_SECRET_FILE, type DesktopState, type Message, type RoomResponse, type RoomsResponse } from '../../shared/index.js'
import { DesktopSession, missingDesktopTools } from '../lib/desktop-session.js'
import { canBuildLan, createLan, sleep, type Host } from './harness.js'
import { bearer, logIn, post, settledProbe, signUp } from './lan-helpers.js'

const can = canBuildLan()
const missing = missingDesktopTools()
const skip = !can.ok ? can.reason : (missing ?? false)
const PASSWORD = 'notify password'

function agent(host: Host): Record<string, string> {
  return { authorization: `Agent ${readFileSync(path.join(host.dataDir, AGENT_SECRET_FILE), 'utf8').trim()}` }
}

t.test('messages from another host become OS notifications on this one', { skip }, async (t) => {
  const desktop = await DesktopSession.start(t)
  // h2's "browser" records the address it is asked to open.
  const opened = path.join(desktop.dir, 'opened.txt')
  const browser = path.join(desktop.dir, 'browser.sh')
  writeFileSync(browser, `#!/bin/sh\nprintf '%s\\n' "$1" >> ${opened}\n`)
  chmodSync(browser, 0o755)
  const lan = await createLan(t, [
    // h1 is a headless server: its D-Bus address leads nowhere.
    { env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/sochat-bus', DISPLAY: '' } },
    { env: { ...desktop.env, SOCHAT_BROWSER: browser } },
  ])
  const [h1, h2] = lan.hosts as [Host, Host]
  await Promise.all(lan.hosts.map((h) => h.start()))
  await lan.waitFor('a settled LAN', () => settledProbe(lan.hosts), 30_000)
  await signUp(h1, 'alice', PASSWORD)
  await signUp(h1, 'bob', PASSWORD)
  const alice = (await logIn(h1, 'alice', PASSWORD)).token
  const bobOnH1 = (await logIn(h1, 'bob', PASSWORD)).token // bob is h1's desktop account too
  const bobOnH2 = (await lan.waitFor("bob's account on h2", () => logIn(h2, 'bob', PASSWORD), 10_000)).token
  const state = await lan.waitFor(
    'h2 to notify for bob, who logged in there last',
    async () => {
      const s = (await h2.api<DesktopState>('GET', '/api/v1/agent/state', undefined, agent(h2))).body
      if (s.account !== 'bob') throw new Error(`account is ${s.account}`)
      return s
    },
    5_000,
  )
  t.match(state, { account: 'bob', dnd: false }, 'h2 notifies for bob')
  t.equal((await h2.api('GET', '/api/v1/agent/state')).status, 401, 'the agent API wants the secret')

  await t.test('one message: author and room in the title, the text in the body, markup escaped', async (t) => {
    const posted = Date.now()
    await post(h1, alice, 'Lunch at <b>noon</b>? 🍕')
    const n = await desktop.waitForNotification((n) => n.summary === 'alice in #general')
    t.comment(`notification on h2 ${Date.now() - posted} ms after the POST on h1 (1500 ms of it is the burst window)`)
    t.equal(n.app, 'SO-CHAT')
    t.equal(n.body, 'Lunch at &lt;b&gt;noon&lt;/b&gt;? 🍕', 'the server shows the tags as text')
  })

  await t.test('a burst of five becomes one summary', async (t) => {
    const before = desktop.notifications.length
    for (let i = 1; i <= 5; i++) await post(h1, alice, `burst ${i}`)
    const n = await desktop.waitForNotification((n) => n.summary === '5 new messages in #general')
    t.equal(n.body, 'From alice. Latest, alice: burst 5')
    await sleep(2500) // longer than the burst window: nothing else may follow
    t.equal(desktop.notifications.length, before + 1, 'exactly one notification for the five')
  })

  await t.test('Do not disturb silences messages, not mentions', async (t) => {
    const on = await h2.api<DesktopState>('PUT', '/api/v1/agent/dnd', { on: true }, agent(h2))
    t.equal(on.body.dnd, true)
    await post(h1, alice, 'quiet please')
    await sleep(2500) // the burst window (1.5 s) passes: a notification would be out by now
    await post(h1, alice, '@bob are you there?')
    const n = await desktop.waitForNotification((n) => n.summary === 'alice mentioned you in #general')
    t.equal(n.body, '@bob are you there?')
    t.notOk(
      desktop.notifications.some((n) => n.body.includes('quiet please')),
      'the plain message made no notification',
    )
    const off = await h2.api<DesktopState>('PUT', '/api/v1/agent/dnd', { on: false }, agent(h2))
    t.equal(off.body.dnd, false)
    await post(h1, alice, 'loud again')
    await desktop.waitForNotification((n) => n.body === 'loud again')
  })

  await t.test('a click on the note opens the page at its room', async (t) => {
    const made = await h1.api<RoomResponse>('POST', '/api/v1/rooms', { name: 'design', invite: ['bob'] }, bearer(alice))
    t.equal(made.status, 201, 'alice made #design with bob in it')
    const room = made.body.room.id
    await desktop.dunstctl('close-all') // the mention above never expires: only the new note is on screen
    const sent = await h1.api<{ message: Message }>('POST', `/api/v1/rooms/${room}/messages`, { text: 'click me' }, bearer(alice))
    t.equal(sent.status, 201)
    const n = await desktop.waitForNotification((n) => n.body === 'click me')
    t.equal(n.summary, 'alice in #design')
    t.notOk(existsSync(opened), 'nothing opened before the click')
    const clicked = Date.now()
    await desktop.dunstctl('action', '0') // what a click on the note does: its default action
    const url = await lan.waitFor('the browser command', async () => existsSync(opened) && readFileSync(opened, 'utf8').trim(), 10_000)
    t.comment(`browser opened ${Date.now() - clicked} ms after the click`)
    const ui = JSON.parse(readFileSync(path.join(h2.dataDir, 'sochatd.json'), 'utf8')).ui as string
    t.equal(url, `${ui}/#room=${encodeURIComponent(room)}`, 'the page, at the room of the note')
    t.match(readFileSync(h2.logPath, 'utf8'), /notifications open the chat page at their room when clicked/, 'h2 uses notify-send 0.8')
  })

  await t.test('a level bob chose on h1 is honoured by h2: muted, then mentions only', async (t) => {
    const design = (await h1.api<RoomsResponse>('GET', '/api/v1/rooms', undefined, bearer(bobOnH1))).body
    const room = design.rooms.find((r) => r.name === 'design')!.id
    const level = async (l: string) => {
      t.equal((await h1.api('PUT', `/api/v1/rooms/${room}/notify`, { level: l }, bearer(bobOnH1))).status, 200, `${l}, set on h1`)
      await lan.waitFor(
        `${l} on h2`,
        async () => (await h2.api<RoomResponse>('GET', `/api/v1/rooms/${room}`, undefined, bearer(bobOnH2))).body.room.notify === l,
        10_000,
      )
    }
    const say = (where: string, text: string) => h1.api('POST', `/api/v1/rooms/${where}/messages`, { text }, bearer(alice))
    await desktop.dunstctl('close-all')
    await level('mute')
    await say(room, 'hush words')
    await say(room, '@bob hush mention')
    // In log order after the two: once its note is out, theirs would have been too.
    await say('general', 'after the muted ones')
    await desktop.waitForNotification((n) => n.body.includes('after the muted ones'))
    t.notOk(
      desktop.notifications.some((n) => n.body.includes('hush')),
      'nothing from the muted room, not even the mention',
    )
    await level('mentions')
    await say(room, 'plain words')
    await say(room, '@bob this one')
    const n = await desktop.waitForNotification((n) => n.body === '@bob this one')
    t.equal(n.summary, 'alice mentioned you in #design')
    await say('general', 'after the mention')
    await desktop.waitForNotification((n) => n.body.includes('after the mention'))
    t.notOk(
      desktop.notifications.some((n) => n.body.includes('plain words')),
      'the plain message in a mentions-only room made no notification',
    )
  })

  await t.test('a host with no notification service logs it once and keeps working', async (t) => {
    const log = readFileSync(h1.logPath, 'utf8')
    const warnings = log.split('\n').filter((l) => l.includes('Could not show a notification'))
    t.equal(warnings.length, 1, 'one warning, not one per message')
    t.match(warnings[0], /notify-send|D-Bus|DBUS/, 'it says why')
    t.match(await h1.status(), { role: /relay|client/ }, 'h1 still answers')
  })
})
