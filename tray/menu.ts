/** What the tray shows for a state: icon look, tooltip and menu items. Pure. */
import type { DesktopState } from '../shared/index.js'
import type { IconLook, Tone } from './icons.js'

export const OPEN_ITEM = 'Open SO-CHAT'
export const DND_ITEM = 'Do not disturb'
export const QUIT_ITEM = 'Quit'

export interface TrayView {
  look: IconLook
  tooltip: string
  status: string
  dnd: boolean
}

/** `null`: no daemon answers. */
export function viewOf(state: DesktopState | null): TrayView {
  if (!state) {
    return {
      look: { tone: 'offline', unread: 0, dnd: false },
      tooltip: 'SO-CHAT: not running',
      status: 'SO-CHAT is not running on this machine',
      dnd: false,
    }
  }
  const tone: Tone = state.role === 'relay' ? 'relay' : state.role === 'client' ? 'client' : 'searching'
  const people = `${state.online} ${state.online === 1 ? 'person' : 'people'} online`
  const status =
    state.role === 'relay'
      ? `This machine is the relay · ${people}`
      : state.role === 'client'
        ? `Relay: ${state.relayName ?? 'unknown'} · ${people}`
        : 'Looking for the network…'
  // A full disk goes first: until space is freed nothing can be sent (daemon/store/disk.ts).
  const disk = state.diskFull ? 'The disk is full: free space to send again · ' : ''
  const unread = state.account === null ? 'not logged in' : state.unread === 0 ? 'no unread messages' : `${state.unread} unread`
  return {
    look: { tone, unread: state.account === null ? 0 : state.unread, dnd: state.dnd },
    tooltip: `SO-CHAT: ${state.diskFull ? 'disk full, ' : ''}${unread}${state.dnd ? ', do not disturb' : ''}`,
    status: disk + status,
    dnd: state.dnd,
  }
}
