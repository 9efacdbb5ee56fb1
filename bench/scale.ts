/**
 * Connection scale: N client links (hello, welcome, live: the first roster) from load-generator
 * processes over several 127.0.0.x source addresses to one relay process. Figures: time from
 * the first connect to every link live, the relay's RSS growth per link, and its RSS and CPU
 * over the following seconds with every link idle (rosters and heartbeats only). Checked: the
 * relay's own status lists every live link as a peer. Links the relay refuses or drops while
 * they connect are counted, not hidden: the figures are then per live link.
 */
import { connectFleet, loopbackAddresses, stopAll } from './fleet.js'
import { type Build, startBuildRelay } from './build.js'
import { cpuTicks, mib, round, rssBytes, sleep, tempDir, TICKS_PER_S } from './proc.js'

export interface ScaleResult {
  links: number
  acceptMs: number
  rssBeforeMiB: number
  rssAfterMiB: number
  perLinkKiB: number
  idleCpuPercent: number
  /** CPU seconds while the links connected: the relay's, and the load generators' (the other end of every handshake). */
  relayConnectCpuS: number
  generatorsConnectCpuS: number
  live: number
  failed: number
  firstError?: string
}

export async function scale(opts: {
  links: number
  procs: number
  timeoutMs: number
  idleSeconds: number
  build: Build
}): Promise<ScaleResult> {
  const tmp = tempDir('scale')
  const { relay, target } = await startBuildRelay(opts.build, tmp.dir, { nofile: true })
  try {
    await sleep(1000)
    const before = rssBytes(relay.pid)
    const fleet = await connectFleet(target, opts.links, opts.procs, loopbackAddresses(20), opts.timeoutMs, true, [relay.pid])
    try {
      const status = (await (await fetch(`${relay.ui}/api/v1/status`)).json()) as { peers: unknown[] }
      if (status.peers.length < fleet.live) throw new Error(`the relay lists ${status.peers.length} peers for ${fleet.live} live links`)
      const t0 = cpuTicks(relay.pid)
      await sleep(opts.idleSeconds * 1000)
      const cpu = ((cpuTicks(relay.pid) - t0) / TICKS_PER_S / opts.idleSeconds) * 100
      const after = rssBytes(relay.pid)
      return {
        links: opts.links,
        acceptMs: Math.round(fleet.ms),
        rssBeforeMiB: mib(before),
        rssAfterMiB: mib(after),
        perLinkKiB: round((after - before) / Math.max(1, fleet.live) / 1024, 1),
        idleCpuPercent: round(cpu, 1),
        relayConnectCpuS: round(fleet.watchedCpuS, 1),
        generatorsConnectCpuS: round(fleet.generatorsCpuS, 1),
        live: fleet.live,
        failed: fleet.failed,
        ...(fleet.firstError ? { firstError: fleet.firstError } : {}),
      }
    } finally {
      await stopAll(fleet.gens)
    }
  } finally {
    await relay.stop()
    tmp.remove()
  }
}
