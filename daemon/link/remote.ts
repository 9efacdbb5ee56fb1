/**
 * The remote machine of a socket on the peer port, as one string everywhere: the relay's
 * catch-up gate, its roster hosts and the file quota key by it, so a link and a file push
 * from one machine must come out the same (an IPv4 client of a dual-stack socket shows as
 * `::ffff:10.0.0.5`; it is `10.0.0.5`).
 */
export function remoteIp(socket: { remoteAddress?: string | undefined }): string {
  return (socket.remoteAddress ?? '').replace(/^::ffff:/, '')
}
