/**
 * The peer port answers daemons, never browsers. It listens on every address of the machine,
 * so any web page a person on the LAN opens could otherwise reach it: a page on evil.example
 * can fetch `http://10.0.0.5:47801/...` or open a WebSocket to it, and with DNS rebinding
 * (evil.example re-pointed at 10.0.0.5 after the page loaded) even read the answers as its own.
 *
 * Two checks close that, and neither costs a daemon anything:
 * - **Origin**: a browser names the page behind every cross-origin fetch and every WebSocket
 *   in `Origin`, and current browsers mark every request, even an `<img>`'s, with
 *   `Sec-Fetch-Site`; daemons send neither (dial.ts, discovery/probe.ts and files/transfer.ts use ws, fetch and
 *   node:http from Node, which add none).
 * - **Host**: daemons address each other by IP (mDNS answers, the relay's roster, `--peer`
 *   names resolved first: discovery/directory.ts), so Host is always an IP literal. A
 *   rebound page still sends its own name as Host, and is refused.
 *
 * This is not authentication: anything on the LAN that speaks the protocol without a browser
 * is still let in (README "Known limits").
 */
import type { IncomingHttpHeaders } from 'node:http'
import { isIP } from 'node:net'

export interface Refusal {
  code: 'forbidden_origin' | 'forbidden_host'
  message: string
}

/** Why the peer port will not answer a request with these headers, or null when it will. */
export function refusal(headers: IncomingHttpHeaders): Refusal | null {
  // Not Sec-Fetch-Mode: Node's own fetch (undici, discovery/probe.ts) sends that one.
  const browser = headers.origin ?? headers['sec-fetch-site']
  if (browser !== undefined) {
    return {
      code: 'forbidden_origin',
      message: 'The peer port is for SO-CHAT daemons, not web pages; open the chat page on your own machine instead.',
    }
  }
  const host = headers.host ?? ''
  if (!isIpLiteralHost(host)) {
    return {
      code: 'forbidden_host',
      message: `The peer port only answers requests addressed to an IP address, not "${host.slice(0, 100)}".`,
    }
  }
  return null
}

/** `10.0.0.5`, `10.0.0.5:47801`, `[fe80::1]`, `[fe80::1]:47801`; not names, not bare IPv6. */
export function isIpLiteralHost(host: string): boolean {
  const v6 = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(host)
  if (v6) return isIP(v6[1]!) === 6
  const v4 = /^([^:]+)(?::\d{1,5})?$/.exec(host)
  return v4 !== null && isIP(v4[1]!) === 4
}
