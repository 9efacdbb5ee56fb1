/**
 * The tray's icons are drawn at build time (tray/icons.ts says why): every look the tray can
 * show has its file in dist/tray/icons/, each is what drawing it now gives, and the built tray
 * shows its icons without ever loading sharp. `npm test` builds before it runs the tests.
 */
import { execFile } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { drawIcon, everyLook, iconFileName, type IconLook, type Tone } from '../../tray/index.js'

const root = join(import.meta.dirname, '..', '..')
const drawn = join(root, 'dist', 'tray', 'icons')

t.test('every look the tray can show has one file name, counts over 99 sharing "99+"', async (t) => {
  const names = everyLook().map(iconFileName)
  t.equal(names.length, 4 * 101 * 2, 'four tones × no badge, 1–99 and 99+ × do not disturb or not')
  t.equal(new Set(names).size, names.length, 'no two looks share a file')
  t.equal(iconFileName({ tone: 'relay', unread: 1234, dnd: false }), 'relay-99+-on.png', '1,234 unread looks like 99+')
  t.equal(iconFileName({ tone: 'client', unread: 0, dnd: true }), 'client-0-dnd.png')
  t.ok(names.includes(iconFileName({ tone: 'offline', unread: 57, dnd: true })), 'a count within 1–99 is drawn ahead')
})

t.test('the build drew every look, exactly as drawing it now would', async (t) => {
  t.ok(existsSync(drawn), 'npm run build drew dist/tray/icons/')
  t.same(readdirSync(drawn).sort(), everyLook().map(iconFileName).sort(), 'one file per look, nothing else')
  const sample: IconLook[] = []
  for (const tone of ['relay', 'client', 'searching', 'offline'] as Tone[])
    for (const unread of [0, 1, 10, 99, 100]) sample.push({ tone, unread, dnd: unread === 10 })
  for (const look of sample)
    t.ok((await readFile(join(drawn, iconFileName(look)))).equals(await drawIcon(look)), `${iconFileName(look)} as drawn now`)
})

t.test('the built tray shows its icons without loading sharp', async (t) => {
  // A child process of its own: this one has loaded sharp already (drawIcon above).
  const script = `
    const { IconCache } = await import(${JSON.stringify(join(root, 'dist', 'tray', 'icons.js'))})
    const icon = await new IconCache().base64({ tone: 'client', unread: 5, dnd: false })
    const maps = (await import('node:fs')).readFileSync('/proc/self/maps', 'utf8')
    console.log(JSON.stringify({ bytes: Buffer.from(icon, 'base64').length, vips: /libvips|sharp-/.test(maps) }))`
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: root })
  const seen = JSON.parse(stdout) as { bytes: number; vips: boolean }
  t.equal(seen.bytes, (await readFile(join(drawn, 'client-5-on.png'))).length, 'the icon is the file drawn at build time')
  t.equal(seen.vips, false, 'neither sharp nor libvips is in the process')
})
