/**
 * The HTML export: one self-contained page, readable offline in any browser, that runs nothing.
 * Its own Content-Security-Policy (meta tag) allows no script, no fetch, no font, no frame:
 * only inline style and data: pictures. Every text a person gave (messages, names, topics, file
 * names) is escaped (escape.ts) and isolated in a <bdi>. Pictures are their thumbnails, inline
 * as data: URIs; other files are listed by name and size. One message per line of the file.
 */
import type { FileRef, Message } from '../../shared/index.js'
import { escapeHtml as esc, escapeMultiline } from './escape.js'
import { roomMessages } from './pages.js'
import type { ArchivePlan, ArchiveRoom, ArchiveSource } from './source.js'

export const EXPORT_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

const STYLE = [
  'body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:52rem;padding:1rem;color:#1d1d1f;background:#fff}',
  'h1{font-size:1.4rem}h2{font-size:1.15rem;border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2rem}',
  '.meta,.members{color:#555;font-size:.9rem}ol{list-style:none;padding:0}',
  'li{padding:.35rem 0;border-bottom:1px solid #eee}.a{font-weight:600}time{color:#666;font-size:.85rem;margin-left:.4rem}',
  '.t{white-space:pre-wrap;overflow-wrap:anywhere}bdi{unicode-bidi:isolate}.gone{color:#888;font-style:italic}',
  '.r{font-size:.85rem;color:#444}.f{font-size:.9rem}img{display:block;max-width:100%;height:auto;margin:.3rem 0;border-radius:4px}',
].join('')

/** Lines before the first room (see htmlExport): the page counts lines for its progress bar. */
export const HTML_HEAD_LINES = 3

export async function* htmlExport(source: ArchiveSource, plan: ArchivePlan): AsyncGenerator<string> {
  const title = `SO-CHAT export, ${plan.network}`
  yield `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${esc(EXPORT_CSP)}"><meta name="referrer" content="no-referrer"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>${STYLE}</style></head><body>\n`
  yield `<h1>${esc(title)}</h1>\n`
  yield `<p class="meta">Exported by <bdi>${esc(plan.exportedBy)}</bdi> on ${esc(plan.exportedAt)}: ${plan.rooms.length} room(s), ${plan.total} message(s).</p>\n`
  for (const room of plan.rooms) {
    yield `<section id="room-${esc(room.id)}"><h2>${roomTitle(room)}</h2>${roomMeta(room)}<ol>\n`
    for await (const m of roomMessages(source.views, room.id, plan.head)) yield `${await messageItem(source, m, await source.open(m))}\n`
    yield '</ol></section>\n'
  }
  yield '</body></html>\n'
}

function roomTitle(room: ArchiveRoom): string {
  if (room.kind === 'direct') return `Direct conversation: <bdi>${esc(room.members.join(', '))}</bdi>`
  return `${room.kind === 'private' ? 'Private room ' : '#'}<bdi>${esc(room.name)}</bdi>`
}

function roomMeta(room: ArchiveRoom): string {
  // Multi-line like a message: the file keeps its one-line-per-item shape (progress counts lines).
  const topic = room.topic ? `<p class="meta">Topic: <bdi>${escapeMultiline(room.topic)}</bdi></p>` : ''
  const members = room.kind === 'direct' ? '' : `<p class="members">Members: <bdi>${esc(room.members.join(', '))}</bdi></p>`
  const sealed = room.encrypted ? '<p class="meta">End-to-end encrypted.</p>' : ''
  return `${topic}${members}${sealed}`
}

/** `raw` as the views hold it (a sealed file's thumbnail is opened from it), `m` opened for the person. */
async function messageItem(source: ArchiveSource, raw: Message, m: Message): Promise<string> {
  const when = new Date(m.ts).toISOString()
  const edited = m.edited && !m.deleted ? ' <span class="gone">(edited)</span>' : ''
  const head = `<span class="a"><bdi>${esc(m.author)}</bdi></span><time datetime="${when}">${when.replace('T', ' ').slice(0, 19)} UTC</time>${edited}`
  return `<li id="m-${esc(m.id)}">${head}${await body(source, raw, m)}</li>`
}

async function body(source: ArchiveSource, raw: Message, m: Message): Promise<string> {
  if (m.deleted) return '<div class="t gone">(deleted)</div>'
  if (m.unreadable) return `<div class="t gone">(encrypted; cannot be read here: ${esc(m.unreadable)})</div>`
  const text = m.text ? `<div class="t" dir="auto"><bdi>${escapeMultiline(m.text)}</bdi></div>` : ''
  const files: string[] = []
  for (const f of m.files ?? []) files.push(await fileItem(source, raw, f))
  const reactions = (m.reactions ?? []).map((r) => `${esc(r.emoji)} <bdi>${esc(r.users.join(', '))}</bdi>`)
  const reacted = reactions.length > 0 ? `<div class="r">${reactions.join(' · ')}</div>` : ''
  return `${text}${files.join('')}${reacted}`
}

async function fileItem(source: ArchiveSource, raw: Message, f: FileRef): Promise<string> {
  const label = `<bdi>${esc(f.name)}</bdi> (${esc(formatSize(f.size))})`
  const thumb = f.picture ? await source.thumbnail(raw, f) : null
  if (!f.picture || !thumb) return `<div class="f">File: ${label}${f.picture ? ' (picture not on this machine)' : ''}</div>`
  // The mime is one of four image types (shared/files.ts PictureRef), and the bytes are a
  // thumbnail this daemon made itself from decoded pixels.
  const img = `<img alt="${esc(f.name)}" width="${f.picture.thumbnailWidth}" height="${f.picture.thumbnailHeight}" src="data:${f.picture.mime};base64,${thumb.toString('base64')}">`
  return `<div class="f">${img}Picture: ${label}</div>`
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`
}
