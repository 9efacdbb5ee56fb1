/** The local web server. See README.md for the security stack, docs/API.md for the routes. */
import { chmod, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import fastifyCookie from '@fastify/cookie'
import fastifyRateLimit from '@fastify/rate-limit'
import fastifyStatic from '@fastify/static'
import fastifyWebsocket from '@fastify/websocket'
import Fastify, { type FastifyInstance } from 'fastify'
import { listenWithFallback } from '../link/index.js'
import type { HttpContext } from './context.js'
import { errorHandler } from './errors.js'
import { hostGuard, originGuard, securityHeaders } from './guards.js'
import { accountRoutes } from './routes/accounts.js'
import { agentRoutes } from './routes/agent.js'
import { avatarRoutes } from './routes/avatars.js'
import { eventRoutes } from './routes/events.js'
import { fileRoutes } from './routes/files.js'
import { messageChangeRoutes } from './routes/message-changes.js'
import { messageRoutes } from './routes/messages.js'
import { roomRoutes } from './routes/rooms.js'
import { sessionRoutes } from './routes/sessions.js'
import { statusRoutes } from './routes/status.js'

export { Auth } from './auth.js'
export { PageSockets } from './page-sockets.js'
export { LiveFeed } from './live-feed.js'
export type { HttpContext } from './context.js'

export interface UiServerOptions {
  webRoot: string
  port: number
  portAttempts: number
  socketPath: string
}

export class UiServer {
  #tcp: Server | null = null
  #unix: Server | null = null

  private constructor(readonly app: FastifyInstance) {}

  static async build(ctx: HttpContext, webRoot: string): Promise<UiServer> {
    // Fastify's own logger stays off: the daemon logs requests that fail, with context.
    const app = Fastify({ logger: false, bodyLimit: 128 * 1024, serverFactory: (handler) => createServer(handler) })
    app.addHook('onRequest', hostGuard)
    app.addHook('onRequest', originGuard)
    app.addHook('onRequest', securityHeaders)
    app.setErrorHandler(errorHandler(ctx.log))
    app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: { code: 'not_found', message: `No such endpoint: ${req.method} ${req.url.slice(0, 100)}` } }))
    await app.register(fastifyCookie)
    await app.register(fastifyRateLimit, { global: false })
    await app.register(fastifyWebsocket, { options: { maxPayload: 4096 } })
    await app.register(fastifyStatic, { root: webRoot, index: 'index.html', wildcard: false })
    accountRoutes(app, ctx)
    sessionRoutes(app, ctx)
    messageRoutes(app, ctx)
    messageChangeRoutes(app, ctx)
    roomRoutes(app, ctx)
    fileRoutes(app, ctx)
    avatarRoutes(app, ctx)
    statusRoutes(app, ctx)
    eventRoutes(app, ctx)
    agentRoutes(app, ctx)
    await app.ready()
    return new UiServer(app)
  }

  /** 127.0.0.1 only: the page is for the person at this machine. */
  async listen(port: number, attempts: number): Promise<string> {
    this.#tcp = this.app.server
    await listenWithFallback(this.#tcp, '127.0.0.1', port, attempts)
    return `http://127.0.0.1:${(this.#tcp.address() as AddressInfo).port}`
  }

  /**
   * The same app on a unix socket readable only by this user: the CLI and the tray use it,
   * and so do tests that run daemons inside network namespaces.
   */
  async listenSocket(path: string): Promise<void> {
    await rm(path, { force: true })
    const handler = this.app.routing
    const unix = createServer((req, res) => handler(req, res))
    unix.on('upgrade', (req, socket, head) => this.app.server.emit('upgrade', req, socket, head))
    await new Promise<void>((resolve, reject) => {
      unix.once('error', reject)
      unix.listen(path, () => resolve())
    })
    await chmod(path, 0o600)
    this.#unix = unix
  }

  async close(): Promise<void> {
    // Upgraded sockets (pages, the tray) are not HTTP connections: server.close would wait
    // for them forever.
    for (const ws of this.app.websocketServer.clients) ws.terminate()
    // Fastify closes only servers it started itself; we listened on ours by hand.
    for (const server of [this.#unix, this.#tcp]) {
      if (!server?.listening) continue
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
    await this.app.close()
  }
}
