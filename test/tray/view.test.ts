/**
 * What the tray shows for each state of the daemon, and the icons sharp draws for it: the
 * disc in the state's colour, a red badge with the unread count only when there is one.
 */
import sharp from 'sharp'
import t from 'tap'
import type { DesktopState } from '../../shared/index.js'
import { BADGE_COLOUR, IconCache, TONE_COLOURS, badgeText, viewOf, type IconLook } from '../../tray/index.js'

const state = (over: Partial<DesktopState>): DesktopState => ({
  role: 'client',
  relayName: 'lab-3',
  online: 4,
  account: 'bob',
  unread: 0,
  dnd: false,
  ui: 'http://127.0.0.1:4321',
  ...over,
})

t.test('the status line and tooltip for each state', async (t) => {
  t.match(viewOf(null), {
    look: { tone: 'offline', unread: 0 },
    status: 'SO-CHAT is not running on this machine',
    tooltip: 'SO-CHAT: not running',
  })
  t.match(viewOf(state({})), { look: { tone: 'client' }, status: 'Relay: lab-3 · 4 people online', tooltip: 'SO-CHAT: no unread messages' })
  t.match(viewOf(state({ role: 'relay', online: 1 })), { look: { tone: 'relay' }, status: 'This machine is the relay · 1 person online' })
  t.match(viewOf(state({ role: 'electing', relayName: null })), { look: { tone: 'searching' }, status: 'Looking for the network…' })
  t.match(viewOf(state({ unread: 7, dnd: true })), {
    look: { unread: 7, dnd: true },
    tooltip: 'SO-CHAT: 7 unread, do not disturb',
    dnd: true,
  })
  t.match(viewOf(state({ account: null, unread: 3 })), { look: { unread: 0 }, tooltip: 'SO-CHAT: not logged in' }, 'no badge for nobody')
})

t.test('a full disk is said in the status line and the tooltip, and gone once it is not', async (t) => {
  t.match(viewOf(state({ diskFull: true, unread: 2 })), {
    status: 'The disk is full: free space to send again · Relay: lab-3 · 4 people online',
    tooltip: 'SO-CHAT: disk full, 2 unread',
  })
  const after = viewOf(state({ diskFull: false, unread: 2 }))
  t.equal(after.status, 'Relay: lab-3 · 4 people online')
  t.equal(after.tooltip, 'SO-CHAT: 2 unread')
})

t.test('badge text stays short', async (t) => {
  t.same([badgeText(1), badgeText(42), badgeText(99), badgeText(100), badgeText(12345)], ['1', '42', '99', '99+', '99+'])
})

/** The colour of one pixel of a rendered icon, as #rrggbb. */
async function pixel(png: Buffer, x: number, y: number): Promise<string> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true })
  const i = (y * info.width + x) * info.channels
  return `#${[data[i]!, data[i + 1]!, data[i + 2]!].map((v) => v.toString(16).padStart(2, '0')).join('')}`
}

t.test('icons: the state colour in the disc, the badge only with unread messages', async (t) => {
  const icons = new IconCache()
  const render = async (look: IconLook) => Buffer.from(await icons.base64(look), 'base64')
  for (const tone of ['relay', 'client', 'searching', 'offline'] as const) {
    const png = await render({ tone, unread: 0, dnd: false })
    const meta = await sharp(png).metadata()
    t.same([meta.format, meta.width, meta.height], ['png', 64, 64], `${tone}: a 64 px PNG`)
    t.equal(await pixel(png, 14, 40), TONE_COLOURS[tone], `${tone}: disc in its colour`)
    t.not(await pixel(png, 56, 12), BADGE_COLOUR, `${tone}: no badge`)
  }
  const withBadge = await render({ tone: 'client', unread: 5, dnd: false })
  t.equal(await pixel(withBadge, 32, 8), BADGE_COLOUR, 'red badge with an unread count')
  t.equal(
    await icons.base64({ tone: 'client', unread: 5, dnd: false }),
    withBadge.toString('base64'),
    'the same look is rendered once and reused',
  )
})
