/**
 * The tray agent for real: systray2's helper under Xvfb with trayer as the system tray, the
 * daemon and the tray inside one host namespace. Screenshots prove the icon is there, shows
 * this machine as relay, grows a badge when messages arrive and greys out while the daemon
 * is down; the menu, clicked with xdotool, opens the browser command with the page address
 * and turns Do not disturb on.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import t from 'tap'
import { AGENT_SECRET_FILE, type DesktopState } from '../../shared/index.js'
import { BADGE_COLOUR, TONE_COLOURS } from '../../tray/index.js'
import { DesktopSession, missingDesktopTools, TRAY_HEIGHT } from '../lib/desktop-session.js'
import { canBuildLan, cleanEnv, createLan, REPO_ROOT, sleep, type Host } from '../multihost/harness.js'
import { logIn, post, signUp } from '../multihost/lan-helpers.js'

const can = canBuildLan()
const skip = !can.ok ? can.reason : (missingDesktopTools() ?? false)
const TRAY_CLI = path.join(REPO_ROOT, 'dist', 'tray', 'cli.js')
const ICON = { x: 16, y: 20 }
/**
 * Menu items are chosen with the keyboard, as a person without a mouse would: it does not
 * depend on the GTK theme's row heights. Down skips the disabled status line.
 */
const KEYS = { open: ['Down', 'Return'], dnd: ['Down', 'Down', 'Return'], quit: ['Down', 'Down', 'Down', 'Return'] }

/** Pixels of the tray panel within a small distance of `hex`. */
async function countColour(png: string, hex: string): Promise<number> {
  const { data, info } = await sharp(png)
    .extract({ left: 0, top: 0, width: 200, height: TRAY_HEIGHT })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true })
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number]
  let n = 0
  for (let i = 0; i < info.width * info.height * 3; i += 3) {
    if (Math.abs(data[i]! - r) + Math.abs(data[i + 1]! - g) + Math.abs(data[i + 2]! - b) < 40) n++
  }
  return n
}

t.test('the tray shows the state and unread count, and its menu works', { skip }, async (t) => {
  const desktop = await DesktopSession.start(t, { tray: true })
  const lan = await createLan(t, 1)
  const h1 = lan.hosts[0] as Host
  await h1.start()
  const work = mkdtempSync(path.join(tmpdir(), 'sochat-tray-'))
  const opened = path.join(work, 'opened.txt')
  const browser = path.join(work, 'browser.sh')
  writeFileSync(browser, `#!/bin/sh\necho "$@" >> ${opened}\n`)
  chmodSync(browser, 0o755)
  let tray: ChildProcess | undefined
  let trayLog = ''
  t.teardown(() => {
    tray?.kill('SIGKILL')
    if (process.env.SOCHAT_KEEP_DATA !== '1') rmSync(work, { recursive: true, force: true })
  })
  const startTray = () => {
    const child = spawn('ip', ['netns', 'exec', h1.ns, process.execPath, TRAY_CLI, '--data-dir', h1.dataDir], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...cleanEnv(), ...desktop.env, SOCHAT_BROWSER: browser, XDG_CACHE_HOME: path.join(work, 'cache') },
    })
    child.stdout!.on('data', (c: Buffer) => (trayLog += c.toString()))
    child.stderr!.on('data', (c: Buffer) => (trayLog += c.toString()))
    return child
  }
  const spawned = Date.now()
  tray = startTray()
  t.teardown(() => {
    if (!t.passing()) t.comment(`tray log:\n${trayLog.slice(-4000)}`)
  })
  let shot = 0
  const screenshot = () => desktop.screenshot(path.join(work, `tray-${++shot}.png`))
  const until = async (what: string, check: () => Promise<boolean>) => {
    for (let i = 0; i < 75; i++) {
      if (await check()) return
      await sleep(200)
    }
    throw new Error(`timed out waiting for ${what}`)
  }

  await until('the relay-blue icon in the tray', async () => (await countColour(await screenshot(), TONE_COLOURS.relay)) > 150)
  t.comment(`icon on screen ${Date.now() - spawned} ms after the tray process started`)
  t.equal(await countColour(await screenshot(), BADGE_COLOUR), 0, 'no badge while nothing is unread')
  t.match(trayLog, /tray icon shown/)

  await signUp(h1, 'alice', 'tray of velvet lamps')
  await signUp(h1, 'bob', 'tray of velvet lamps')
  const alice = (await logIn(h1, 'alice', 'tray of velvet lamps')).token
  await logIn(h1, 'bob', 'tray of velvet lamps') // the person at this desktop
  const posting = Date.now()
  for (const text of ['one', 'two', 'three']) await post(h1, alice, text)
  await until('a red unread badge', async () => (await countColour(await screenshot(), BADGE_COLOUR)) > 40)
  t.comment(`badge on screen ${Date.now() - posting} ms after the first of three POSTs`)
  t.match(trayLog, /"unread":3/, 'the tray drew the count of three')
  t.comment(`screenshots in ${work}`)

  await t.test('Open SO-CHAT runs the browser command with the page address', async (t) => {
    await desktop.xdotool('mousemove', String(ICON.x), String(ICON.y), 'click', '1')
    await sleep(700)
    await screenshot() // the open menu, for a person to look at
    await desktop.xdotool('key', '--delay', '150', ...KEYS.open)
    await until('the browser command', async () => existsSync(opened))
    const ui = JSON.parse(readFileSync(path.join(h1.dataDir, 'sochatd.json'), 'utf8')).ui as string
    t.equal(readFileSync(opened, 'utf8').trim(), ui)
  })

  await t.test('Do not disturb from the menu reaches the daemon', async (t) => {
    await desktop.xdotool('mousemove', String(ICON.x), String(ICON.y), 'click', '1')
    await sleep(700)
    await desktop.xdotool('key', '--delay', '150', ...KEYS.dnd)
    const secret = readFileSync(path.join(h1.dataDir, AGENT_SECRET_FILE), 'utf8').trim()
    const state = async () =>
      (await h1.api<DesktopState>('GET', '/api/v1/agent/state', undefined, { authorization: `Agent ${secret}` })).body
    await until('dnd on', async () => (await state()).dnd)
    t.match(await state(), { dnd: true, account: 'bob', unread: 3 }, 'Do not disturb is on for bob')
  })

  await t.test('the icon greys while the daemon is down and comes back after a restart', async (t) => {
    await h1.stop()
    await until('the grey offline icon', async () => (await countColour(await screenshot(), TONE_COLOURS.offline)) > 150)
    t.equal(await countColour(await screenshot(), TONE_COLOURS.relay), 0, 'no relay colour while the daemon is down')
    const restarted = Date.now()
    await h1.start()
    await until('the relay icon again', async () => (await countColour(await screenshot(), TONE_COLOURS.relay)) > 150)
    t.comment(`relay icon back ${Date.now() - restarted} ms after the daemon was restarted (its own election window included)`)
    t.ok((await countColour(await screenshot(), BADGE_COLOUR)) > 40, 'reconnected: relay colour and the unread badge are back')
  })

  await t.test('Quit ends the tray (and only the tray)', async (t) => {
    const exited = new Promise<number | null>((resolve) => tray!.once('exit', (code) => resolve(code)))
    await desktop.xdotool('mousemove', String(ICON.x), String(ICON.y), 'click', '1')
    await sleep(700)
    await desktop.xdotool('key', '--delay', '150', ...KEYS.quit)
    t.equal(await exited, 0, 'the tray exited cleanly')
    t.match(await h1.status(), { role: 'relay' }, 'the daemon keeps running')
    await until('the icon to leave the tray', async () => (await countColour(await screenshot(), TONE_COLOURS.relay)) === 0)
    t.equal(await countColour(await screenshot(), BADGE_COLOUR), 0, 'no icon left behind')
  })

  await t.test('if its helper dies, the tray says so and exits with an error instead of lingering', async (t) => {
    tray = startTray()
    await until('the icon again', async () => (await countColour(await screenshot(), TONE_COLOURS.relay)) > 150)
    const exited = new Promise<number | null>((resolve) => tray!.once('exit', (code) => resolve(code)))
    const helper = path.join(work, 'cache')
    await new Promise((resolve) => spawn('pkill', ['-KILL', '-f', helper]).once('exit', resolve))
    t.equal(await exited, 1, 'exit code 1')
    t.match(trayLog, /the tray helper went away/, 'and a log line saying what happened')
  })
})
