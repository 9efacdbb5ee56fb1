import { timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AGENT_AUTH_SCHEME, AGENT_SECRET_FILE, SetDnd, type AgentEvent, type DesktopState } from '../../../shared/index.js'
import { AuthError } from '../../errors/index.js'
import type { HttpContext } from '../context.js'

/**
 * The tray's API: desktop state as a live feed, and Do not disturb. Only a process that can
 * read the agent secret file (this machine's user) gets in; a page's session does not.
 */
export function agentRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const isAgent = (req: FastifyRequest) => hasSecret(req.headers.authorization, ctx.agentSecret)
  const requireAgent = (req: FastifyRequest) => {
    if (!isAgent(req))
      throw new AuthError(
        'unauthenticated',
        `Send Authorization: ${AGENT_AUTH_SCHEME} <the contents of ${AGENT_SECRET_FILE} in the daemon's data folder>.`,
      )
  }

  app.get('/api/v1/agent/state', async (req): Promise<DesktopState> => {
    requireAgent(req)
    return ctx.desktop.state()
  })

  app.put('/api/v1/agent/dnd', async (req): Promise<DesktopState> => {
    requireAgent(req)
    return ctx.desktop.setDnd(SetDnd.parse(req.body).on)
  })

  app.get('/api/v1/agent/events', { websocket: true }, (socket, req) => {
    if (!isAgent(req)) {
      socket.close(4401, 'unauthenticated')
      return
    }
    const send = (state: DesktopState) => socket.send(JSON.stringify({ type: 'state', state } satisfies AgentEvent))
    socket.on('message', () => socket.close(4400, 'this socket only sends'))
    ctx.desktop.on('state', send)
    socket.on('close', () => ctx.desktop.off('state', send))
    send(ctx.desktop.state())
  })
}

function hasSecret(header: string | undefined, secret: string): boolean {
  const prefix = `${AGENT_AUTH_SCHEME} `
  if (!header?.startsWith(prefix)) return false
  const given = Buffer.from(header.slice(prefix.length).trim())
  const expected = Buffer.from(secret)
  return given.length === expected.length && timingSafeEqual(given, expected)
}
