/** The page's parts of replies, threads and pins (index.html), found by id: chat-page.ts makes one. */
import type { Api } from '../app/api.js'
import { byId, Dialog } from '../app/dom.js'
import { Replies, type RepliesHost } from './replies.js'

export type { Replies } from './replies.js'

export function makeReplies(api: Api, host: RepliesHost): Replies {
  return new Replies(
    api,
    {
      replyBar: byId('reply-bar'),
      replyText: byId('reply-bar-text'),
      replyCancel: byId('reply-cancel'),
      composerText: byId('message'),
      broadcastNote: byId('broadcast-note'),
      pinsButton: byId('room-pins'),
      pinsDialog: new Dialog(byId('pins-dialog'), byId('pins-alert')),
      pinsList: byId('pins-list'),
      thread: {
        pane: byId('thread-pane'),
        title: byId('thread-title'),
        log: byId('thread-log'),
        older: byId('thread-older'),
        alert: byId('thread-alert'),
        form: byId('thread-form'),
        textarea: byId('thread-message'),
        also: byId('thread-also'),
        close: byId('thread-close'),
      },
    },
    host,
  )
}
