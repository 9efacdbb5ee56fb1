/**
 * A TCP-to-unix-socket forwarder in the test process (root namespace). A browser on this
 * machine cannot reach 127.0.0.1 inside a host namespace, but the daemon's control socket is a
 * file, reachable from here: this bridges 127.0.0.1:<free port> to it, one pipe per connection.
 */
import net from 'node:net'

export class UnixForwarder {
  private constructor(
    private readonly server: net.Server,
    /** Every open pipe end, so close() can end them all. */
    private readonly sockets: Set<net.Socket>,
    readonly port: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  static async start(socketPath: string): Promise<UnixForwarder> {
    const sockets = new Set<net.Socket>()
    const server = net.createServer((down) => {
      const up = net.connect(socketPath)
      sockets.add(down).add(up)
      const closeBoth = () => {
        down.destroy()
        up.destroy()
        sockets.delete(down)
        sockets.delete(up)
      }
      down.on('error', closeBoth).on('close', closeBoth)
      up.on('error', closeBoth).on('close', closeBoth)
      down.pipe(up).pipe(down)
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => resolve())
    })
    const addr = server.address()
    if (addr === null || typeof addr === 'string') throw new Error('forwarder has no TCP address')
    return new UnixForwarder(server, sockets, addr.port)
  }

  /** Closes the listener and every open pipe; bounded so a stuck peer cannot hang teardown. */
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    this.sockets.clear()
    await Promise.race([
      new Promise<void>((resolve) => this.server.close(() => resolve())),
      new Promise<void>((resolve) => setTimeout(resolve, 2_000).unref()),
    ])
  }
}
