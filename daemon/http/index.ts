/** The local web server. See README.md for the security stack, docs/API.md for the routes. */
import { chmod, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import fastifyCookie from '@fastify/cookie'
import fastifyRateLimit from '@fastify/rate-limit'
import fastifyStatic from '@fastify/static'
import fastifyWebsocket from '@fastify/websocket'
import Fastify, { type FastifyInstance } from 'fastify'
import { listenWithFallback } from '../link/index.js'
import { choosePageProtocol, type Authenticated } from './auth.js'
import type { HttpContext } from './context.js'
import { errorHandler } from './errors.js'
import { hostGuard, originGuard, securityHeaders } from './guards.js'
import { accountRoutes } from './routes/accounts.js'
import { agentRoutes } from './routes/agent.js'
import { controlRoutes } from './routes/control.js'
import { avatarRoutes } from './routes/avatars.js'
import { eventRoutes } from './routes/events.js'
import { exportRoutes } from './routes/export.js'
import { fileRoutes, streamUploadPieces } from './routes/files.js'
import { messageChangeRoutes } from './routes/message-changes.js'
import { threadRoutes } from './routes/threads.js'
import { messageRoutes } from './routes/messages.js'
import { peopleRoutes } from './routes/people.js'
import { roomRoutes } from './routes/rooms.js'
import { searchRoutes } from './routes/search.js'
import { machineRoutes } from './routes/machines.js'
import { logInRoutes, sessionRoutes } from './routes/sessions.js'
import { statusRoutes } from './routes/status.js'

export { Auth } from './auth.js'
export { PageSockets } from './page-sockets.js'
export { PASS_CHECK_MS, PresencePasses } from './presence-passes.js'
export { LiveFeed } from './live-feed.js'
export type { HttpContext } from './context.js'
export { machinesChangedHint, type MachineDesk } from './machine-desk.js'

/**
 * Requests are checked with the zod schemas of shared/ (one schema per shape, validate at the
 * boundary), never with a route's JSON schema. Fastify would load ajv and fast-json-stringify
 * (about 600 KB of code) at start for those; given builders of our own, it loads neither, and
 * a route that did declare a schema fails the start instead of being checked twice.
 */
function noRouteSchemas(): never {
  throw new Error('A route declares a JSON schema: the daemon checks requests with the zod schemas of shared/ instead.')
}

export class UiServer {
  #tcp: Server | null = null
  #unix: Server | null = null

  /**
   * @param controlSockets the connections accepted on the unix socket (listenSocket): the
   * control routes (routes/control.ts) obey only requests that came in on one of them.
   */
  private constructor(
    readonly app: FastifyInstance,
    private readonly controlSockets: WeakSet<Socket>,
  ) {}

  static async build(ctx: HttpContext, webRoot: string): Promise<UiServer> {
    // Fastify's own logger stays off: the daemon logs requests that fail, with context.
    const controlSockets = new WeakSet<Socket>()
    const app = Fastify({
      logger: false,
      bodyLimit: 128 * 1024,
      serverFactory: (handler) => createServer(handler),
      schemaController: { compilersFactory: { buildValidator: noRouteSchemas, buildSerializer: noRouteSchemas } },
    })
    app.addHook('onRequest', hostGuard)
    app.addHook('onRequest', originGuard)
    app.addHook('onRequest', securityHeaders)
    app.setErrorHandler(errorHandler(ctx.log))
    app.setNotFoundHandler((req, reply) =>
      reply.code(404).send({ error: { code: 'not_found', message: `No such endpoint: ${req.method} ${req.url.slice(0, 100)}` } }),
    )
    await app.register(fastifyCookie)
    await app.register(fastifyRateLimit, { global: false })
    // The page's socket proves its CSRF token by a subprotocol (auth.ts); the server answers with
    // the plain one.
    await app.register(fastifyWebsocket, { options: { maxPayload: 4096, handleProtocols: choosePageProtocol } })
    await app.register(fastifyStatic, { root: webRoot, index: 'index.html', wildcard: false })
    streamUploadPieces(app)
    // Public: status, sign-up and log-in. The tray's routes take its secret instead of a
    // session, and the page's live feed looks its session (and CSRF proof) up itself, to
    // answer on the socket (close 4401) rather than refuse the upgrade.
    statusRoutes(app, ctx)
    accountRoutes(app, ctx)
    logInRoutes(app, ctx)
    eventRoutes(app, ctx)
    agentRoutes(app, ctx)
    controlRoutes(app, ctx, (req) => controlSockets.has(req.raw.socket))
    // Everything else is for a signed-in person: one hook finds the session (auth.ts), and
    // the routes read it from req.who.
    await app.register(async (signedIn) => {
      signedIn.decorateRequest('who', null as unknown as Authenticated) // set by the hook before any handler
      signedIn.addHook('preHandler', ctx.auth.signedIn)
      sessionRoutes(signedIn, ctx)
      messageRoutes(signedIn, ctx)
      messageChangeRoutes(signedIn, ctx)
      threadRoutes(signedIn, ctx)
      roomRoutes(signedIn, ctx)
      fileRoutes(signedIn, ctx)
      avatarRoutes(signedIn, ctx)
      machineRoutes(signedIn, ctx)
      peopleRoutes(signedIn, ctx)
      searchRoutes(signedIn, ctx)
      exportRoutes(signedIn, ctx)
    })
    await app.ready()
    return new UiServer(app, controlSockets)
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
    unix.on('connection', (socket: Socket) => this.controlSockets.add(socket))
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
