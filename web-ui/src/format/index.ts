/**
 * Formatting of message text (issue 17): Markdown through markdown-it into a tree of known
 * node kinds (markdown-model.ts), drawn with createElement (rich-text-view.ts). The folder's
 * one door for the rest of the page.
 */
import { formatMessage } from './markdown-model.js'
import { roomLinks } from './room-links-model.js'
import { renderRichText } from './rich-text-view.js'

export { roomLinks } from './room-links-model.js'
export { COPY_LABEL } from './rich-text-view.js'

/** A message's text as nodes for its row: formatted, with the reader's mentions and rooms. */
export function renderMessageText(text: string, me: string | null): DocumentFragment {
  return renderRichText(formatMessage(text, { me, room: (name) => roomLinks.find(name) }))
}
