/**
 * The desktop agent's view of the daemon (the tray, `tray/`): one WebSocket at
 * `GET /api/v1/agent/events` pushing `DesktopState`, and `PUT /api/v1/agent/dnd`. Both are
 * authenticated by `Authorization: Agent <secret>`, the secret being the file `agent.secret`
 * the daemon keeps in its data folder, readable only by the user who runs it.
 */
import * as z from 'zod'
import { Role } from './advert.js'

export const AGENT_SECRET_FILE = 'agent.secret'
export const AGENT_AUTH_SCHEME = 'Agent'

export const DesktopState = z.object({
  role: Role,
  /** The relay machine's name; this machine's own name when it is the relay. */
  relayName: z.string().nullable(),
  /** People online on the whole network (a person on two machines counts once). */
  online: z.number().int().nonnegative(),
  /** The account notifications and the unread count are for: whoever logged in last here. */
  account: z.string().nullable(),
  /** Messages by others in the account's rooms after its read position. */
  /**
   * What would notify the account, across its rooms: unread messages, only unread mentions in a
   * room set to "mentions", nothing from a muted one (`notify.set`).
   */
  unread: z.number().int().nonnegative(),
  /** Do not disturb: no notifications (mentions excepted, see README). */
  dnd: z.boolean(),
  /** The chat page's address. */
  ui: z.string(),
  /** The disk holding the data folder is full: nothing can be sent until space is freed (absent from older daemons). */
  diskFull: z.boolean().optional(),
})
export type DesktopState = z.infer<typeof DesktopState>

export const AgentEvent = z.object({ type: z.literal('state'), state: DesktopState })
export type AgentEvent = z.infer<typeof AgentEvent>

export const SetDnd = z.object({ on: z.boolean() })
export type SetDnd = z.infer<typeof SetDnd>

/** What an open page tells the daemon about itself, over its events socket. */
export const PageAttention = z.object({
  type: z.literal('attention'),
  /** The tab is visible and its window has the keyboard focus. */
  watching: z.boolean(),
})
export type PageAttention = z.infer<typeof PageAttention>
