/**
 * A picture edited before sending, through the real page (issue 17 item 7): alice attaches a
 * 1200 × 800 photo, opens Edit on its chip, and by keyboard alone picks Square, moves and
 * shrinks the crop box with the arrow keys, turns it right and raises the brightness; Apply
 * uploads it again with those numbers and the sent picture is exactly the crop (788 × 788),
 * with the brightness raised; an edit the daemon refuses leaves the picture attached as it
 * was. A text file's chip has no Edit. The editor fits a 390-pixel
 * phone screen. (Chromium via playwright-core; one daemon on loopback, mDNS off; the page is
 * served from dist/, so `npm run build` first.) Screenshots: /tmp/picture17-*.png.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import t from 'tap'
import { call, startLocalDaemon } from '../../daemon/http/local-daemon.js'
import { CHROMIUM, messageBox, openBrowser, seesMessage, signUp } from '../lib/browser.js'

const PASSWORD = 'browser picture password'

t.test(
  'a picture cropped square, turned and brightened by keyboard',
  { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing` },
  async (t) => {
    const root = mkdtempSync(join(tmpdir(), 'sochat-picture-edit-'))
    t.teardown(() => rmSync(root, { recursive: true, force: true }))
    const daemon = await startLocalDaemon(t, join(root, 'lone'), 'lone')
    const { page, problems } = await openBrowser(t, daemon.ui)
    await signUp(page, 'alice', PASSWORD)
    const token = (await call(daemon.ui, '/api/v1/sessions', { json: { username: 'alice', password: PASSWORD } })).body.token
    const photo = await sharp({ create: { width: 1200, height: 800, channels: 3, background: { r: 90, g: 90, b: 90 } } })
      .jpeg({ quality: 95 })
      .toBuffer()

    const chooser = page.waitForEvent('filechooser')
    await page.getByRole('button', { name: 'Attach files' }).click()
    await (await chooser).setFiles([
      { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: photo },
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a picture') },
    ])
    const chips = page.getByRole('list', { name: 'Attachments' })
    await chips.getByRole('listitem').filter({ hasText: 'notes.txt' }).getByText('Ready to send').waitFor()
    await chips.getByRole('listitem').filter({ hasText: 'photo.jpg' }).getByText('Ready to send').waitFor()
    t.equal(await chips.getByRole('button', { name: 'Edit notes.txt' }).count(), 0, 'a text file has no Edit')
    await page.screenshot({ path: '/tmp/picture17-chips.png' })

    const editor = page.getByRole('dialog', { name: 'Edit picture' })
    // A refused edit (the daemon's answer, forced here) loses nothing: the picture stays attached as it was.
    await page.route('**/api/v1/uploads', (route) =>
      route.request().postData()?.includes('"edit"')
        ? route.fulfill({
            status: 422,
            contentType: 'application/json',
            body: JSON.stringify({ error: { code: 'bad_picture_edit', message: 'The picture edit is wrong (forced by the test).' } }),
          })
        : route.continue(),
    )
    await chips.getByRole('button', { name: 'Edit photo.jpg' }).click()
    await editor.getByRole('button', { name: 'Apply' }).and(page.locator(':enabled')).waitFor()
    await editor.getByRole('button', { name: /Rotate right/ }).click()
    await editor.getByRole('button', { name: 'Apply' }).click()
    await page
      .locator('#attach-alert')
      .getByText(
        'The edit of “photo.jpg” was not applied: The picture edit is wrong (forced by the test). The picture is still attached as it was.',
      )
      .waitFor()
    await chips.getByRole('listitem').filter({ hasText: 'photo.jpg' }).getByText('Ready to send').waitFor()
    t.pass('a refused edit is said in words; the chip keeps the picture, ready to send')
    await page.unroute('**/api/v1/uploads')

    await chips.getByRole('button', { name: 'Edit photo.jpg' }).focus()
    await page.keyboard.press('Enter')
    await editor.waitFor()
    const box = editor.getByRole('button', { name: 'Crop box' })
    await editor.getByRole('button', { name: 'Apply' }).and(page.locator(':enabled')).waitFor()
    t.ok(await box.evaluate((b) => b === document.activeElement), 'the crop box has focus')
    t.equal(await editor.locator('#picture-edit-crop-text').textContent(), 'Crop 1200 × 800 pixels, at 0, 0')

    await editor.getByRole('radio', { name: 'Square' }).focus()
    await page.keyboard.press('Space')
    await box.focus()
    await page.keyboard.press('ArrowLeft')
    await page.keyboard.press('ArrowLeft')
    await page.keyboard.press('Shift+ArrowLeft')
    t.equal(
      await editor.locator('#picture-edit-crop-text').textContent(),
      'Crop 788 × 788 pixels, at 176, 0 (square)',
      'square, moved, shrunk',
    )
    await editor.getByRole('button', { name: /Rotate right/ }).focus()
    await page.keyboard.press('Enter')
    const brightness = editor.getByRole('slider', { name: 'Brightness' })
    await brightness.focus()
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight')
    t.equal(await brightness.inputValue(), '1.2', 'brightness 120%')
    t.equal(
      await editor.locator('#picture-edit-crop-text').textContent(),
      'Crop 788 × 788 pixels, at 12, 176 (square)',
      'turned with the picture',
    )
    await page.screenshot({ path: '/tmp/picture17-editor-desktop.png' })

    await page.setViewportSize({ width: 390, height: 844 })
    const shape = await editor.boundingBox()
    t.ok(shape && shape.x >= 0 && shape.x + shape.width <= 390, `the editor fits a phone's width (${shape?.x} + ${shape?.width})`)
    const apply = await editor.getByRole('button', { name: 'Apply' }).boundingBox()
    t.ok(apply && apply.x + apply.width <= 390, 'Apply is on screen')
    await page.screenshot({ path: '/tmp/picture17-editor-phone.png' })
    await page.setViewportSize({ width: 1100, height: 720 })

    await editor.getByRole('button', { name: 'Apply' }).focus()
    await page.keyboard.press('Enter')
    await editor.waitFor({ state: 'hidden' })
    await chips.getByRole('listitem').filter({ hasText: 'photo.jpg' }).getByText('Ready to send').waitFor()
    await messageBox(page).fill('edited')
    await messageBox(page).press('Enter')
    await seesMessage(page, 'edited')

    const { body } = await call(daemon.ui, '/api/v1/rooms/general/messages', { token })
    const sent = (
      body.messages as {
        id: string
        text: string
        files?: { name: string; sha256: string; picture?: { width: number; height: number } }[]
      }[]
    ).find((m) => m.text === 'edited')!
    const picture = sent.files!.find((f) => f.name === 'photo.jpg')!
    t.same([picture.picture?.width, picture.picture?.height], [788, 788], 'the message says 788 × 788')
    const res = await fetch(`${daemon.ui}/api/v1/rooms/general/messages/${sent.id}/files/${picture.sha256}`, {
      headers: { authorization: `Bearer ${token}` },
    })
    const bytes = Buffer.from(await res.arrayBuffer())
    const meta = await sharp(bytes).metadata()
    t.same([meta.width, meta.height], [788, 788], 'the sent original is the crop')
    const mean = (await sharp(bytes).stats()).channels[0]!.mean
    t.ok(Math.abs(mean - 108) < 3, `brightened: 90 → about 108 (${mean.toFixed(1)})`)
    await page.screenshot({ path: '/tmp/picture17-sent.png' })
    // Chromium logs the forced 422 above as a console error; it is the one expected.
    const expected = /Failed to load resource: the server responded with a status of 422/
    t.same(
      problems.filter((p) => !expected.test(p)),
      [],
      'no other console errors, no foreign requests',
    )
  },
)
