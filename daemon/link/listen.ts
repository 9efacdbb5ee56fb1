import type { Server } from 'node:net'

/**
 * Listens on `port`, or the next free one: two users on one machine must both be able to run
 * SO-CHAT (a fixed port is a known trap of LAN messengers).
 */
export async function listenWithFallback(server: Server, host: string, port: number, attempts: number): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(port === 0 ? 0 : port + i, host, () => {
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
