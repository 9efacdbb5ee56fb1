/**
 * Export from the page: the room header's Export… saves, through the browser's own download,
 * a file whose content is the daemon's export of that room (the messages, in order, the
 * header), with the progress bar and a "Saved" status; the top bar's Export… saves everything
 * as one HTML page. (Chromium via playwright-core; one daemon on loopback, mDNS off; the page
 * is served from dist/, so `npm run build` first.)
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { call, startLocalDaemon } from '../daemon/http/local-daemon.js'
import { CHROMIUM, openBrowser, seesMessage, signUp } from './lib/browser.js'

const PASSWORD = 'browser export password'

t.test('export downloads a file whose content matches', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing` }, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'sochat-export-page-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const daemon = await startLocalDaemon(t, join(root, 'lone'), 'lone')
  const { page, problems } = await openBrowser(t, daemon.ui)
  await signUp(page, 'alice', PASSWORD)
  const token = (await call(daemon.ui, '/api/v1/sessions', { json: { username: 'alice', password: PASSWORD } })).body.token
  const texts = Array.from({ length: 120 }, (_, i) => `line ${i} <b>not bold</b>`)
  for (const text of texts) await call(daemon.ui, '/api/v1/rooms/general/messages', { token, json: { text } })
  await seesMessage(page, texts.at(-1)!)

  const dialog = page.getByRole('dialog', { name: 'Export #general' })
  await page.getByRole('button', { name: 'Export…', exact: true }).click()
  await dialog.waitFor()
  await dialog.getByLabel('Format').selectOption('json')
  const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Export', exact: true }).click()])
  t.match(download.suggestedFilename(), /^sochat-general-\d{8}-\d{4}\.json$/, 'saved under the name the daemon chose')
  const saved = JSON.parse(readFileSync((await download.path())!, 'utf8'))
  const api = await (await fetch(`${daemon.ui}/api/v1/export?room=general`, { headers: { authorization: `Bearer ${token}` } })).json()
  t.same({ ...saved, exportedAt: '' }, { ...api, exportedAt: '' }, "the file is the daemon's export of the room")
  t.same(
    saved.messages.map((m: { text: string }) => m.text),
    texts,
    'every message, in order',
  )
  await dialog.getByRole('status').filter({ hasText: 'Saved: 120 messages' }).waitFor()
  t.equal(await dialog.getByRole('progressbar').getAttribute('value'), '1', 'the bar is full')
  await page.screenshot({ path: '/tmp/export-dialog.png' })
  t.comment('screenshot: /tmp/export-dialog.png')
  await dialog.getByRole('button', { name: 'Cancel' }).click()

  await page.getByRole('button', { name: 'Export all…' }).click()
  const all = page.getByRole('dialog', { name: 'Export everything you can read' })
  await all.waitFor()
  await all.getByLabel('Format').selectOption('html')
  const [page2] = await Promise.all([page.waitForEvent('download'), all.getByRole('button', { name: 'Export', exact: true }).click()])
  const html = readFileSync((await page2.path())!, 'utf8')
  t.ok(html.startsWith('<!doctype html>') && html.includes('line 119 &lt;b&gt;not bold&lt;/b&gt;'), 'everything, as one escaped page')
  t.same(problems, [], 'no console errors or foreign requests')
})
