/**
 * Where each event of the live feed goes: the room on screen takes its own messages, edits,
 * reads and typing; the sidebar counts the rest; a merged history starts everything over;
 * the Network panel reads the machines again.
 * chat-page.ts owns the parts and passes them in.
 */
import type { Status, UiEvent } from '../../../shared/index.js'
import type { Rooms } from '../rooms/rooms.js'
import type { Conversation } from '../timeline/conversation.js'
import { mentionsMe, textParts } from '../timeline/message-text-model.js'
import type { ReadTracker } from '../timeline/read-tracker.js'
import type { Timeline } from '../timeline/timeline.js'
import { humanError } from './api.js'
import type { ProfilePictures } from './profile-pictures.js'
import type { Profiles } from './profiles.js'
import type { NetworkPanel } from '../network/network-panel.js'

export interface LiveEventTargets {
  me(): string | null
  timeline: Pick<Timeline, 'clear' | 'markFailed'>
  reads: Pick<ReadTracker, 'reset'>
  conversation: Pick<Conversation, 'shows' | 'onRoomEvent' | 'onMessage' | 'onNotice'>
  rooms: Pick<Rooms, 'load' | 'readElsewhere' | 'noteMessage'>
  pictures: Pick<ProfilePictures, 'load'>
  profiles: Pick<Profiles, 'load'>
  network: Pick<NetworkPanel, 'changed'>
  status(status: Status): void
  /** Everything read again, as at log-in. */
  refresh(): Promise<void>
  /** The tab title and the sidebar's counts drawn again. */
  showTotals(): void
}

export function routeLiveEvent(ev: UiEvent, to: LiveEventTargets): void {
  switch (ev.type) {
    case 'status':
      return to.status(ev.status)
    case 'history':
      // Merged with another relay's log: same messages, maybe new order. Start over.
      to.timeline.clear()
      to.reads.reset()
      return void to.refresh()
    case 'failed':
      return to.timeline.markFailed(ev.id, humanError(ev.code, ev.message))
    case 'rooms':
      return void to.rooms.load()
    case 'avatar':
      return void to.pictures.load()
    case 'profile':
      return void to.profiles.load()
    case 'machines':
      return to.network.changed()
    case 'read':
      if (!to.conversation.onRoomEvent(ev)) to.rooms.readElsewhere(ev.room)
      return
    case 'typing':
    case 'updated':
      to.conversation.onRoomEvent(ev)
      return
    case 'notice':
      return to.conversation.onNotice(ev.notice)
    case 'message': {
      const m = ev.message
      if (to.conversation.shows(m.room)) to.conversation.onMessage(m)
      to.rooms.noteMessage(m, !m.deleted && mentionsMe(textParts(m.text, to.me())))
      return to.showTotals()
    }
  }
}
