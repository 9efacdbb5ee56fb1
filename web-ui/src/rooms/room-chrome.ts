/**
 * The room's chrome, built from the page's markup: its dialogs (members and invite, Browse
 * rooms, New room, Edit room) and its header with the buttons that open them. The chat page
 * hands in what they act on; nothing here holds state of its own.
 */
import type { NotifyLevel, RoomSummary } from '../../../shared/index.js'
import type { Api } from '../app/api.js'
import { byId } from '../app/dom.js'
import { BrowseDialog } from './browse-dialog.js'
import { MembersDialog } from './members-dialog.js'
import { answerRoom, EditRoomDialog, NewRoomDialog, type RoomFormParts } from './room-dialogs.js'
import { RoomHeader } from './room-header.js'
import { roomPath } from './rooms-model.js'

export interface RoomDialogs {
  members: MembersDialog
  browse: BrowseDialog
  newRoom: NewRoomDialog
  editRoom: EditRoomDialog
  /** Sets what a room notifies the person of (PUT …/notify); the room comes back changed. */
  notify(room: RoomSummary, level: NotifyLevel): Promise<void>
}

export interface RoomDialogHost {
  me: () => string | null
  presence: (name: string) => 'online' | 'away' | 'offline'
  /** "Message bob": start or open a direct conversation. */
  message: (name: string) => void
  /** A room was made, invited into or edited; `created` shows it. */
  changed: (room: RoomSummary, created?: boolean) => void
  open: (id: string) => void
  join: (id: string) => Promise<void>
}

/** The two room forms share their markup's ids but for a prefix. */
function roomForm(prefix: string): RoomFormParts {
  return {
    dialog: byId(`${prefix}-dialog`),
    form: byId(`${prefix}-form`),
    alert: byId(`${prefix}-alert`),
    name: byId(`${prefix}-name`),
    preview: byId(`${prefix}-preview`),
    topic: byId(`${prefix}-topic`),
  }
}

export function roomDialogs(api: Api, host: RoomDialogHost): RoomDialogs {
  return {
    members: new MembersDialog(
      api,
      {
        dialog: byId('members-dialog'),
        title: byId('members-title'),
        list: byId('members-list'),
        inviteForm: byId('invite-form'),
        inviteAlert: byId('invite-alert'),
        inviteName: byId('invite-name'),
      },
      { me: host.me, presence: host.presence, message: host.message, invited: (room) => host.changed(room) },
    ),
    browse: new BrowseDialog(
      api,
      { dialog: byId('browse-dialog'), alert: byId('browse-alert'), filter: byId('browse-filter'), list: byId('browse-list') },
      { open: host.open, join: host.join },
    ),
    newRoom: new NewRoomDialog(api, roomForm('new-room'), byId('new-room-invite'), (room) => host.changed(room, true)),
    editRoom: new EditRoomDialog(api, roomForm('edit-room'), (room) => host.changed(room)),
    notify: async (room, level) => host.changed(answerRoom(await api.call<unknown>('PUT', `${roomPath(room.id)}/notify`, { level }))),
  }
}

export interface RoomHeaderHost {
  /** The room on screen, if any. */
  current: () => RoomSummary | null
  leave: () => void
  join: (id: string) => void
}

export function roomHeader(dialogs: RoomDialogs, host: RoomHeaderHost): RoomHeader {
  const withRoom = (act: (room: RoomSummary) => void) => () => {
    const room = host.current()
    if (room) act(room)
  }
  return new RoomHeader(
    {
      mark: byId('room-mark'),
      name: byId('room-name'),
      kind: byId('room-kind'),
      topic: byId('room-topic'),
      members: byId('room-members'),
      invite: byId('room-invite'),
      edit: byId('room-edit'),
      leave: byId('room-leave'),
      notify: byId('room-notify'),
      notifyAlert: byId('room-notify-alert'),
      composer: byId('composer'),
      joinBar: byId('join-bar'),
      joinNote: byId('join-note'),
      joinButton: byId('join-room'),
    },
    {
      members: withRoom((room) => void dialogs.members.open(room)),
      invite: withRoom((room) => void dialogs.members.open(room, true)),
      edit: withRoom((room) => dialogs.editRoom.open(room)),
      leave: host.leave,
      join: withRoom((room) => host.join(room.id)),
      notify: async (level) => {
        const room = host.current()
        if (room) await dialogs.notify(room, level)
      },
    },
  )
}
