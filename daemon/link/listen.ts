import type { Server } from 'node:net'

/**
 * Connections the kernel holds for the peer port until the daemon accepts them. Node's default,
 * 511, is what a floor starting at once overflows: the kernel then drops the SYNs past it, the
 * machines retry after 1, 3, 7, 15 s, and links that would take milliseconds take seconds or
 * time out (10,000 links from the benchmark: tens of thousands of `ListenOverflows`,
 * bench/README.md). The kernel caps it at net.core.somaxconn (4,096 by default since Linux 5.4).
 */
export const PEER_BACKLOG = 4096

/**
 * Listens on `port`, or the next free one: two users on one machine must both be able to run
 * SO-CHAT (a fixed port is a known trap of LAN messengers).
 */
export async function listenWithFallback(server: Server, host: string, port: number, attempts: number, backlog?: number): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen({ port: port === 0 ? 0 : port + i, host, ...(backlog ? { backlog } : {}) }, () => {
          server.off('error', reject)
          resolve()
        })
      })
      return
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code !== 'EADDRINUSE' || port === 0 || i + 1 >= attempts) {
        throw new Error(
          `Cannot listen on ${host}:${port}${attempts > 1 ? `-${port + attempts - 1}` : ''} (${code}). ` +
            'Choose another port with --ui-port / --peer-port.',
          { cause: err },
        )
      }
    }
  }
}
