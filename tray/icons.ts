/**
 * Tray icons drawn with sharp from SVG: a disc in the colour of this machine's place in the
 * network, and a red badge with the unread count. Rendered once per look and kept.
 */
import sharp from 'sharp'

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

export class IconCache {
  readonly #rendered = new Map<string, Promise<string>>()

  /** The icon as base64 PNG, which is what systray2 hands its native helper. */
  base64(look: IconLook): Promise<string> {
    const key = `${look.tone}/${badgeText(look.unread)}/${look.dnd}`
    let icon = this.#rendered.get(key)
    if (!icon) {
      icon = sharp(Buffer.from(iconSvg(look)))
        .png()
        .toBuffer()
        .then((b) => b.toString('base64'))
      this.#rendered.set(key, icon)
      icon.catch(() => this.#rendered.delete(key))
    }
    return icon
  }
}
