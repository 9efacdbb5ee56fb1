/**
 * Render time of a room's 50 newest messages in Chromium, plain and formatted, measured in the
 * page with performance.now() (render-time.ts) and reported with t.comment, never asserted: a
 * time depends on the machine and on what else runs on it. The same test runs on a page built
 * before formatting (where the formatted room shows its Markdown as text), which is how the
 * before/after figures in the issue note were taken.
 */
import t from 'tap'
import { createLan, type Host } from '../../multihost/harness.js'
import { logIn as apiLogIn, signUp as apiSignUp } from '../../multihost/lan-helpers.js'
import { logIn, openBrowser, skipReason } from '../lib/browser.js'
import { median, timeRoomOpen } from './render-time.js'
import { formattedMessage, makeRoom, plainMessage } from './rooms.js'

const ROUNDS = 10

t.test('render time of the 50 newest messages (measured, not asserted)', { skip: skipReason() }, async (t) => {
  const lan = await createLan(t, 1)
  const h1 = lan.hosts[0] as Host
  await h1.start()
  await lan.waitFor('a relay', async () => ((await h1.status()).role === 'relay' ? true : Promise.reject(new Error('not yet'))), 20_000)
  await apiSignUp(h1, 'fmt', 'render time password')
  const token = (await apiLogIn(h1, 'fmt', 'render time password')).token
  const fifty = (message: (i: number) => string) => Array.from({ length: 50 }, (_, i) => message(i + 1))
  const plainRoom = await makeRoom(h1, token, 'plain', fifty(plainMessage))
  const formattedRoom = await makeRoom(h1, token, 'formatted', fifty(formattedMessage))

  const person = await openBrowser(t, await h1.uiUrl())
  await logIn(person.page, 'fmt', 'render time password')
  const times = { plain: [] as number[], formatted: [] as number[], plainTotal: [] as number[], formattedTotal: [] as number[] }
  for (let round = 0; round <= ROUNDS; round++) {
    const p = await timeRoomOpen(person.page, 'plain', plainRoom, '[plain 50]')
    const f = await timeRoomOpen(person.page, 'formatted', formattedRoom, '[formatted 50]')
    // The first round warms the code up (JIT, style); it is not counted.
    if (round === 0) continue
    times.plain.push(p.render)
    times.plainTotal.push(p.total)
    times.formatted.push(f.render)
    times.formattedTotal.push(f.total)
  }
  const ms = (v: number[]) => `${median(v).toFixed(1)} ms`
  t.comment(`50 plain messages: render ${ms(times.plain)} (median of ${ROUNDS}), click to painted ${ms(times.plainTotal)}`)
  t.comment(`50 formatted messages: render ${ms(times.formatted)}, click to painted ${ms(times.formattedTotal)}`)
  t.equal(times.formatted.length, ROUNDS, `${ROUNDS} timed rounds of each room`)
  t.same(person.problems, [], 'no console error, page error or foreign request')
})
