/**
 * Tray icons: a disc in the colour of this machine's place in the network, and a red badge
 * with the unread count, drawn from SVG.
 *
 * Drawn at build time, not at run time (issue 18): the tray runs all day on every machine,
 * and loading sharp with libvips to draw a few icons held about 19 MiB of its memory. The
 * build (scripts/build-tray-icons.mjs) draws every look the tray can show, 808 of them, into
 * dist/tray/icons/ beside this module; the tray reads the one it needs. Run from source (the
 * tests, under tsx) there is no such folder, and a look is drawn with sharp on first use.
 */
import { readFile } from 'node:fs/promises'

export type Tone = 'relay' | 'client' | 'searching' | 'offline'

export interface IconLook {
  tone: Tone
  unread: number
  dnd: boolean
}

/** Fill colours; tests read them back from screenshots, so they are part of the contract. */
export const TONE_COLOURS: Record<Tone, string> = {
  relay: '#1d6fd8',
  client: '#188038',
  searching: '#e8a200',
  offline: '#80868b',
}
export const BADGE_COLOUR = '#d93025'

const SIZE = 64

export function badgeText(unread: number): string {
  return unread > 99 ? '99+' : String(unread)
}

export function iconSvg(look: IconLook): string {
  const disc = `<circle cx="30" cy="34" r="26" fill="${TONE_COLOURS[look.tone]}"/>`
  // Do not disturb: a crescent cut out of the disc, the sign people know from their phones.
  const moon = look.dnd
    ? `<circle cx="30" cy="34" r="14" fill="#fff"/><circle cx="37" cy="28" r="12" fill="${TONE_COLOURS[look.tone]}"/>`
    : ''
  if (look.unread <= 0) return svg(disc + moon)
  const text = badgeText(look.unread)
  const fontSize = text.length >= 3 ? 17 : 22
  const badge =
    `<circle cx="44" cy="20" r="19" fill="${BADGE_COLOUR}" stroke="#fff" stroke-width="2"/>` +
    `<text x="44" y="${20 + fontSize * 0.36}" font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif" font-weight="bold" font-size="${fontSize}" fill="#fff" text-anchor="middle">${text}</text>`
  return svg(disc + moon + badge)
}

function svg(body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}">${body}</svg>`
}

/** The most the badge counts before it says "99+": the looks are finite, so all can be drawn ahead. */
const BADGE_MAX = 100

/** Every look the tray can show, once each (an unread count over 99 looks like 100). */
export function everyLook(): IconLook[] {
  const looks: IconLook[] = []
  for (const tone of Object.keys(TONE_COLOURS) as Tone[])
    for (let unread = 0; unread <= BADGE_MAX; unread++) for (const dnd of [false, true]) looks.push({ tone, unread, dnd })
  return looks
}

/** The file a look is drawn into at build time: `client-5-dnd.png`, `relay-99+-on.png`, `offline-0-on.png`. */
export function iconFileName(look: IconLook): string {
  return `${look.tone}-${look.unread > 0 ? badgeText(look.unread) : '0'}-${look.dnd ? 'dnd' : 'on'}.png`
}

/** A look drawn now, as PNG: what the build does for each, and the tray when run from source. */
export async function drawIcon(look: IconLook): Promise<Buffer> {
  const { default: sharp } = await import('sharp')
  return sharp(Buffer.from(iconSvg(look)))
    .png()
    .toBuffer()
}

const DRAWN_AHEAD = new URL('./icons/', import.meta.url)

async function drawnAhead(look: IconLook): Promise<Buffer> {
  try {
    return await readFile(new URL(iconFileName(look), DRAWN_AHEAD))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    return drawIcon(look) // from source: no build folder beside this module
  }
}

export class IconCache {
  readonly #rendered = new Map<string, Promise<string>>()

  /** The icon as base64 PNG, which is what systray2 hands its native helper. */
  base64(look: IconLook): Promise<string> {
    const key = iconFileName(look)
    let icon = this.#rendered.get(key)
    if (!icon) {
      icon = drawnAhead(look).then((png) => png.toString('base64'))
      this.#rendered.set(key, icon)
      icon.catch(() => this.#rendered.delete(key))
    }
    return icon
  }
}
