/**
 * `sochat status`'s lines about the firewall: which port other machines must reach, whether it
 * is the one asked for, and whether mDNS hears anything at all. A person whose machines do not
 * find each other reads here what to open (README, "Firewall and ports").
 */
import type { Reach } from '../../shared/index.js'

/** Before this long, never having heard mDNS says nothing yet (a neighbour answers within seconds). */
export const QUIET_AFTER_MS = 15_000

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  return s < 120 ? `${s} s ago` : `${Math.round(s / 60)} min ago`
}

function portLines(reach: Reach): string[] {
  const { peerPort, uiPort } = reach
  const lines = [
    `ports: other machines connect to TCP ${peerPort.bound} (open it in a firewall); the page is on 127.0.0.1:${uiPort.bound} only`,
  ]
  if (peerPort.bound !== peerPort.asked) {
    lines.push(
      `warning: peer port ${peerPort.asked} was in use, so this daemon listens on ${peerPort.bound}: ` +
        `a firewall rule for ${peerPort.asked} does not cover it (free ${peerPort.asked}, or open ${peerPort.bound})`,
    )
  }
  if (uiPort.bound !== uiPort.asked && uiPort.bound !== 0) {
    lines.push(`note: page port ${uiPort.asked} was in use (another user's SO-CHAT?), so the page is on ${uiPort.bound}`)
  }
  return lines
}

function mdnsLine(reach: Reach, startedAt: number, now: number): string {
  const m = reach.mdns
  if (m.state === 'off') return 'mDNS: off (--no-mdns); other machines are found only through --peer'
  if (m.state === 'failed') return `warning: mDNS failed (${m.error}); discovery is off until restart, --peer HOST:PORT still works`
  const where = `${m.interface} (${m.address})`
  if (m.lastHeard !== null) return `mDNS: on ${where}, last heard another machine ${ago(now - m.lastHeard)}`
  if (now - startedAt < QUIET_AFTER_MS) return `mDNS: on ${where}, nothing heard yet`
  return (
    `warning: mDNS has heard no other machine on ${where} since it started ${ago(now - startedAt)}: ` +
    'if SO-CHAT runs on other machines here, multicast UDP 5353 is blocked (a firewall, or Wi-Fi client isolation); ' +
    'open UDP 5353, choose another interface with --interface, or name a machine with --peer HOST'
  )
}

/** The lines to print, in order: ports first, then discovery. */
export function reachLines(reach: Reach, startedAt: number, now: number): string[] {
  return [...portLines(reach), mdnsLine(reach, startedAt, now)]
}
