/**
 * `POST /api/v1/control/stop`: `sochat stop` asks the daemon to shut down. Only a request that
 * came in over the control socket (the unix socket in the data folder, mode 0600, so only this
 * user reaches it) is obeyed; the same route on 127.0.0.1 answers 403, since any program or
 * page of any local user can reach the TCP port. Asking the daemon itself, rather than
 * signalling the pid in sochatd.json, means a stale file can never make `stop` kill a process
 * that is not this daemon.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AuthError, UnavailableError } from '../../errors/index.js'
import type { HttpContext } from '../context.js'

export function controlRoutes(app: FastifyInstance, ctx: HttpContext, fromControlSocket: (req: FastifyRequest) => boolean): void {
  app.post('/api/v1/control/stop', async (req, reply) => {
    if (!fromControlSocket(req))
      throw new AuthError('control_socket_only', 'Stop the daemon with `sochat stop` on its machine; this address does not take it.')
    const requestStop = ctx.requestStop
    if (!requestStop)
      throw new UnavailableError('internal', 'This daemon runs inside another program, which stops it; `sochat stop` cannot.')
    // After the answer is on its way: the shutdown closes this very socket.
    reply.raw.once('finish', () => requestStop())
    return { stopping: true, pid: process.pid, nodeId: ctx.status().nodeId }
  })
}
