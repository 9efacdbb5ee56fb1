/**
 * Files and pictures through the real page (issue 5), alice on h1 and bob on h2, with a relay
 * that takes files up to 1 MiB. Alice drops a PNG on the conversation (the drop zone shows),
 * pastes a screenshot, and attaches a text file with the Attach button; bob sees the
 * thumbnails in boxes of their own size before they load, then loaded, and a file card whose
 * Download link serves the original as an attachment with its name. The viewer opens by
 * keyboard and closes with Escape. A 2 MiB file is refused in words before any upload; a
 * cut JPEG is refused in words and its message is not sent; a dropped connection resumes;
 * Cancel abandons an upload on the daemon. Screenshots at desktop and phone width, in dark
 * mode, with an upload in progress and the viewer open.
 *
 * Driven by role and label, as a person or a screen reader finds things.
 */
import sharp from 'sharp'
import t from 'tap'
import type { Page, Request } from 'playwright-core'
import { pngClaiming } from '../../lib/images.js'
import { createLan, sleep, type Host } from '../../multihost/harness.js'
import { log, messageBox, oneRelay, openBrowser, seesMessage, signUp, skipReason } from '../lib/browser.js'

const LIMIT = ['--max-file-mib', '1']
const row = (page: Page, text: string | RegExp) => log(page).getByRole('article').filter({ hasText: text })
const chips = (page: Page) => page.getByRole('list', { name: 'Attachments' })

interface FileSpec {
  name: string
  type: string
  b64: string
}
const spec = (name: string, type: string, bytes: Buffer): FileSpec => ({ name, type, b64: bytes.toString('base64') })

/** Files dragged over the conversation, as a person dragging from their file manager. */
async function dragOver(page: Page, files: FileSpec[]): Promise<void> {
  await page.evaluate((files) => {
    const dt = new DataTransfer()
    for (const f of files) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: f.type }))
    ;(window as unknown as { dragged: DataTransfer }).dragged = dt
    const area = document.getElementById('scroller')!
    area.dispatchEvent(new DragEvent('dragenter', { bubbles: true, cancelable: true, dataTransfer: dt }))
    area.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: dt }))
  }, files)
}

async function drop(page: Page): Promise<void> {
  await page.evaluate(() => {
    const dt = (window as unknown as { dragged: DataTransfer }).dragged
    document.getElementById('scroller')!.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }))
  })
}

async function paste(page: Page, file: FileSpec): Promise<void> {
  await messageBox(page).focus()
  await page.evaluate((f) => {
    const dt = new DataTransfer()
    dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: f.type }))
    document.activeElement!.dispatchEvent(new ClipboardEvent('paste', { bubbles: true, cancelable: true, clipboardData: dt }))
  }, file)
}

async function attach(page: Page, file: FileSpec): Promise<void> {
  const chooser = page.waitForEvent('filechooser')
  await page.getByRole('button', { name: 'Attach files' }).click()
  await (await chooser).setFiles({ name: file.name, mimeType: file.type, buffer: Buffer.from(file.b64, 'base64') })
}

/**
 * The thumbnail's box and whether its image has loaded. (Found by its alt text: inside its
 * button, which names it "Open picture …", the image is not exposed on its own.)
 */
function thumbBox(page: Page, alt: string) {
  return log(page)
    .locator(`img[alt="${alt}"]`)
    .evaluate((img: HTMLImageElement) => {
      const r = img.getBoundingClientRect()
      return {
        width: Math.round(r.width),
        height: Math.round(r.height),
        attrs: [img.width, img.height],
        loaded: img.complete && img.naturalWidth > 0,
        natural: img.naturalWidth,
      }
    })
}

t.test('files and pictures through the page', { skip: skipReason() }, async (t) => {
  const lan = await createLan(t, [{ args: LIMIT }, { args: LIMIT }])
  const [h1, h2] = lan.hosts as [Host, Host]
  await Promise.all([h1.start(), h2.start()])
  await oneRelay(lan)
  const alice = await openBrowser(t, await h1.uiUrl())
  const bob = await openBrowser(t, await h2.uiUrl())
  const [a, b] = [alice.page, bob.page]
  await signUp(a, 'alice', 'alice-password-1')
  await signUp(b, 'bob', 'bob-password-1')
  const uploads: string[] = []
  a.on('request', (r: Request) => {
    if (r.url().includes('/api/v1/uploads')) uploads.push(`${r.method()} ${new URL(r.url()).pathname}`)
  })
  // Refusals alice's page got, by address: only those the test asks for are allowed below.
  const refusedA: string[] = []
  a.on('response', (r) => {
    if (r.status() >= 400) refusedA.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`)
  })

  const png = await sharp({ create: { width: 900, height: 600, channels: 3, background: '#3a7bd5' } })
    .png()
    .toBuffer()
  const shot = await sharp({ create: { width: 500, height: 300, channels: 4, background: '#e0a030ff' } })
    .png()
    .toBuffer()
  const jpeg = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#884422' } })
    .jpeg()
    .toBuffer()

  await t.test('a PNG dropped on the conversation reaches bob as a thumbnail in a box of its size', async (t) => {
    // Bob's thumbnails come slowly, so the box can be measured before the picture is there.
    await b.route(/\/files\/[a-f0-9]{64}\?size=thumbnail/, async (route) => {
      await sleep(1500)
      await route.continue().catch(() => undefined)
    })
    await dragOver(a, [spec('chart.png', 'image/png', png)])
    await a.getByText('Drop files to attach them').waitFor()
    t.ok(await a.getByText('Drop files to attach them').isVisible(), 'the drop zone shows while files are dragged over')
    await drop(a)
    await a.getByText('Drop files to attach them').waitFor({ state: 'hidden' })
    await chips(a).getByText('chart.png').waitFor()
    await messageBox(a).fill('the chart')
    await messageBox(a).press('Enter')
    await row(b, 'the chart').waitFor()
    const before = await thumbBox(b, 'chart.png')
    t.notOk(before.loaded, 'not loaded yet')
    t.same([before.width, before.height, ...before.attrs], [320, 213, 320, 213], 'its box is already the thumbnail’s 320 × 213')
    await b.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>('#timeline img[alt="chart.png"]')].some((i) => i.complete && i.naturalWidth > 0),
    )
    const after = await thumbBox(b, 'chart.png')
    t.same([after.width, after.height, after.natural], [320, 213, 320], 'loaded, in the same box: nothing jumped')
    await b.unroute(/\/files\/[a-f0-9]{64}\?size=thumbnail/)
    t.equal(await chips(a).isVisible(), false, 'alice’s chips are gone once sent')
  })

  await t.test('the viewer opens from the keyboard with the display size, and Escape closes it', async (t) => {
    const thumb = row(b, 'the chart').getByRole('button', { name: /^Open picture chart\.png/ })
    await log(b).focus()
    await b.keyboard.press('End')
    await b.keyboard.press('Tab')
    t.match(
      await b.evaluate(() => document.activeElement?.getAttribute('aria-label')),
      /^Open picture chart\.png \(/,
      'Tab from the message reaches its picture',
    )
    await b.keyboard.press('Enter')
    const viewer = b.getByRole('dialog', { name: 'chart.png' })
    await viewer.waitFor()
    await b.waitForFunction(() => {
      const i = document.querySelector<HTMLImageElement>('dialog[open] img')
      return !!i && i.complete && i.naturalWidth === 900
    })
    t.pass('the display size (900 px wide: never enlarged) is shown')
    const download = viewer.getByRole('link', { name: /^Download original: chart\.png/ })
    t.equal(await download.getAttribute('download'), 'chart.png', '“Download original” is a download of the file')
    await b.screenshot({ path: '/tmp/files-viewer.png' })
    await b.keyboard.press('Escape')
    await viewer.waitFor({ state: 'hidden' })
    t.ok(await thumb.evaluate((el) => el === document.activeElement), 'focus is back on the thumbnail')
  })

  await t.test('a pasted screenshot is sent with no text', async (t) => {
    await paste(a, spec('image.png', 'image/png', shot))
    await chips(a)
      .getByText(/^Pasted image .*\.png$/)
      .waitFor()
    t.equal(await messageBox(a).inputValue(), '', 'nothing was pasted as text')
    await messageBox(a).press('Enter')
    await b.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>('#timeline img')].some((i) => i.alt.startsWith('Pasted image') && i.naturalWidth > 0),
    )
    const box = await thumbBox(b, (await log(b).locator('img[alt^="Pasted image"]').getAttribute('alt'))!)
    t.same([box.width, box.height], [320, 192], '500 × 300 shown as 320 × 192')
  })

  await t.test('a text file attached with the button: a card on bob’s page, downloaded as an attachment', async (t) => {
    await attach(a, spec('notes.txt', 'text/plain', Buffer.from('remember the milk\n')))
    await chips(a).getByText('Ready to send').waitFor()
    await messageBox(a).fill('the notes')
    await a.getByRole('button', { name: 'Send', exact: true }).click()
    const link = row(b, 'the notes').getByRole('link', { name: /^Download notes\.txt \(18 bytes\)$/ })
    await link.waitFor()
    t.equal(await row(b, 'the notes').getByText('Text, 18 bytes').count(), 1, 'kind and size in words')
    t.equal(await link.getAttribute('download'), 'notes.txt', 'the link downloads, with the file’s name')
    const head = await b.evaluate(
      async (href) => {
        const r = await fetch(href)
        return { disposition: r.headers.get('content-disposition'), body: await r.text() }
      },
      (await link.getAttribute('href'))!,
    )
    t.match(head.disposition, /^attachment; filename="notes\.txt"/, 'served as an attachment named notes.txt')
    t.equal(head.body, 'remember the milk\n', 'the very bytes')
  })

  await t.test('a file over the relay’s 1 MiB is refused in words before any upload', async (t) => {
    const before = uploads.length
    await attach(a, spec('big.bin', 'application/octet-stream', Buffer.alloc(2 * 1024 * 1024, 7)))
    await a.getByRole('alert').filter({ hasText: '“big.bin” is 2 MiB; the relay takes files up to 1 MiB' }).waitFor()
    t.equal(uploads.length, before, 'no upload was even announced')
    t.equal(await chips(a).getByText('big.bin').count(), 0, 'no chip')
  })

  await t.test('a cut JPEG is refused in words, and its message is not sent', async (t) => {
    await attach(a, spec('cut.jpg', 'image/jpeg', jpeg.subarray(0, jpeg.length >> 1)))
    await chips(a)
      .getByText(/^Not uploaded: The picture is damaged or cut short/)
      .waitFor()
    await a.getByRole('alert').filter({ hasText: '“cut.jpg” was not uploaded: The picture is damaged' }).waitFor()
    await messageBox(a).fill('with a cut picture')
    await messageBox(a).press('Enter')
    await a.getByRole('alert').filter({ hasText: '“cut.jpg” was not uploaded, so nothing was sent' }).waitFor()
    await sleep(1000)
    t.equal(await log(a).getByText('with a cut picture').count(), 0, 'nothing on alice’s page')
    t.equal(await log(b).getByText('with a cut picture').count(), 0, 'nothing on bob’s')
    t.equal(await messageBox(a).inputValue(), 'with a cut picture', 'the text is still in the box')
    await chips(a).getByRole('button', { name: 'Remove cut.jpg' }).click()
    t.equal(await chips(a).isVisible(), false, 'removed')
    await messageBox(a).fill('')
  })

  await t.test('a pixel bomb is refused in words', async (t) => {
    await attach(a, spec('bomb.png', 'image/png', pngClaiming(50000, 50000)))
    await chips(a)
      .getByText(/^Not uploaded: The picture is 50000 × 50000 pixels; the most SO-CHAT opens is 100 megapixels/)
      .waitFor()
    t.pass('the chip says why')
    await chips(a).getByRole('button', { name: 'Remove bomb.png' }).click()
    t.equal(await a.getByRole('alert').filter({ hasText: 'bomb.png' }).count(), 0, 'its alert goes with it')
  })

  await t.test('an upload in progress: progress bar, Cancel abandons it on the daemon', async (t) => {
    // The piece is held back, so the upload stays in progress long enough to see and cancel.
    await a.route(/\/api\/v1\/uploads\/[a-f0-9]+$/, async (route) => {
      if (route.request().method() !== 'PATCH') return route.continue()
      await sleep(4000)
      await route.continue().catch(() => undefined)
    })
    await attach(a, spec('slow.bin', 'application/octet-stream', Buffer.alloc(600_000, 1)))
    const bar = chips(a).getByRole('progressbar', { name: 'Uploading slow.bin' })
    await bar.waitFor()
    await chips(a)
      .getByText(/^Uploading, \d+%$/)
      .waitFor()
    await a.screenshot({ path: '/tmp/files-uploading.png' })
    await a.setViewportSize({ width: 390, height: 800 })
    await a.emulateMedia({ colorScheme: 'dark' })
    t.ok(await a.evaluate(() => document.documentElement.scrollWidth <= 390), 'the chip fits at phone width')
    await a.screenshot({ path: '/tmp/files-uploading-phone-dark.png' })
    await a.emulateMedia({ colorScheme: 'light' })
    await a.setViewportSize({ width: 1100, height: 720 })
    await chips(a).getByRole('button', { name: 'Cancel upload of slow.bin' }).click()
    await a.waitForFunction(() => document.querySelector('#attachments')?.hasAttribute('hidden'))
    await a.unroute(/\/api\/v1\/uploads\/[a-f0-9]+$/)
    await sleep(300)
    t.equal(uploads.filter((u) => u.startsWith('DELETE /api/v1/uploads/')).length, 1, 'the upload was abandoned (one DELETE)')
  })

  await t.test('a dropped connection resumes from the daemon’s offset', async (t) => {
    let cut = false
    await a.route(/\/api\/v1\/uploads\/[a-f0-9]+$/, async (route) => {
      if (route.request().method() !== 'PATCH' || cut) return route.continue()
      cut = true
      await route.abort('connectionreset')
    })
    const before = uploads.length
    await attach(a, spec('resumed.bin', 'application/octet-stream', Buffer.alloc(300_000, 2)))
    await chips(a).getByText('Ready to send').waitFor()
    await a.unroute(/\/api\/v1\/uploads\/[a-f0-9]+$/)
    const asked = uploads.slice(before)
    t.ok(cut, 'the first piece was cut off')
    t.ok(
      asked.some((u) => /^GET \/api\/v1\/uploads\/[a-f0-9]+$/.test(u)),
      `the page asked the daemon how much arrived (${asked.join(', ')})`,
    )
    t.equal(asked.filter((u) => u.startsWith('PATCH')).length, 2, 'and sent the piece again')
    await messageBox(a).fill('resumed file')
    await messageBox(a).press('Enter')
    await row(b, 'resumed file')
      .getByRole('link', { name: /^Download resumed\.bin \(293 KB\)$/ })
      .waitFor()
    t.pass('it arrived')
  })

  await t.test('a profile picture chosen by alice shows beside her messages on bob’s page', async (t) => {
    await messageBox(b).fill('my own words')
    await messageBox(b).press('Enter')
    await row(a, 'my own words').waitFor()
    const chooser = a.waitForEvent('filechooser')
    await a.getByRole('button', { name: 'Profile picture' }).click()
    await (await chooser).setFiles({ name: 'me.png', mimeType: 'image/png', buffer: png })
    // Decorative (the author's name is beside it), so found by its place, not by a role.
    await b.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>('#timeline .avatar[data-user="alice"] img')].some(
        (i) => i.complete && i.naturalWidth === 256,
      ),
    )
    const pictures = await b.evaluate(() => ({
      alice: document.querySelectorAll('#timeline .avatar[data-user="alice"] img').length,
      rows: document.querySelectorAll('#timeline .avatar[data-user="alice"]').length,
      bob: document.querySelectorAll('#timeline .avatar[data-user="bob"] img').length,
    }))
    t.equal(pictures.alice, pictures.rows, `every one of alice’s ${pictures.rows} rows has her picture, a 256-pixel square`)
    t.equal(pictures.bob, 0, 'bob, who has none, keeps his initial')
  })

  await t.test('screenshots; a deleted message shows no files', async (t) => {
    await seesMessage(b, 'the notes')
    await b.screenshot({ path: '/tmp/files-desktop.png' })
    await b.setViewportSize({ width: 390, height: 800 })
    t.ok(await b.evaluate(() => document.documentElement.scrollWidth <= 390), 'no sideways scroll at phone width')
    await b.screenshot({ path: '/tmp/files-phone.png' })
    await b.setViewportSize({ width: 1100, height: 720 })
    await b.emulateMedia({ colorScheme: 'dark' })
    await b.screenshot({ path: '/tmp/files-dark.png' })
    await b.emulateMedia({ colorScheme: 'light' })

    await row(a, 'the notes').hover()
    await row(a, 'the notes').getByRole('button', { name: 'Delete message' }).click()
    await a.getByRole('dialog', { name: 'Delete message?' }).getByRole('button', { name: 'Delete' }).click()
    await log(b).getByText('This message was deleted.').waitFor()
    t.equal(
      await log(b)
        .getByRole('link', { name: /notes\.txt/ })
        .count(),
      0,
      'its file card is gone',
    )
    t.comment(
      'screenshots: /tmp/files-desktop.png /tmp/files-phone.png /tmp/files-dark.png /tmp/files-viewer.png /tmp/files-uploading.png /tmp/files-uploading-phone-dark.png',
    )
  })

  // Alice asked for a refusal (the cut picture) and cut a connection on purpose. Her own
  // thumbnails may be asked for a moment before h1's replica has her message (404, tried
  // again by the page): allowed, as long as that is all the 404s were.
  const notFound = refusedA.filter((r) => r.startsWith('404 '))
  t.ok(
    notFound.every((r) => /^404 GET \/api\/v1\/rooms\/general\/messages\/[^/]+\/files\/[a-f0-9]{64}$/.test(r)),
    `404s only for thumbnails (${notFound.join(', ') || 'none'})`,
  )
  t.same(
    refusedA.filter((r) => !r.startsWith('404 ')).map((r) => r.split(' ')[0]),
    ['422', '413'],
    'the refusals asked for: the cut picture, the pixel bomb',
  )
  const expected = [/status of 422/, /status of 413/, /status of 404/, /ERR_CONNECTION_RESET|ERR_FAILED/]
  t.same(
    alice.problems.filter((p) => !expected.some((e) => e.test(p))),
    [],
    'alice’s page: no other errors, no foreign requests',
  )
  t.same(bob.problems, [], 'bob’s page: no errors, no foreign requests')
})
