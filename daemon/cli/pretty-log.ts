/**
 * The daemon's log for a person at a terminal: one readable line per pino record
 * ("12:03:04 INFO  link: connected to the relay peer=lab-pc") instead of JSON. Our own few
 * lines rather than pino-pretty: it is synchronous (no worker thread to outlive a shutdown),
 * adds no dependency to the installed package, and knows our records' shape (part, name,
 * node are context, not news). As a service (stdout not a terminal) the log stays JSON.
 */
import type { DestinationStream } from 'pino'

const LEVELS: Record<number, { name: string; color: string }> = {
  10: { name: 'TRACE', color: '90' },
  20: { name: 'DEBUG', color: '36' },
  30: { name: 'INFO', color: '32' },
  40: { name: 'WARN', color: '33' },
  50: { name: 'ERROR', color: '31' },
  60: { name: 'FATAL', color: '35' },
}

/** Known to every line, or said once at start: left out of each line. */
const CONTEXT = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'part', 'node', 'name'])

export function prettyDestination(out: NodeJS.WriteStream): DestinationStream {
  const color = out.isTTY === true && !process.env.NO_COLOR
  return {
    write(line: string) {
      out.write(`${formatRecord(line, color)}\n`)
    },
  }
}

export function formatRecord(line: string, color: boolean): string {
  let record: Record<string, unknown>
  try {
    record = JSON.parse(line) as Record<string, unknown>
  } catch {
    return line.trimEnd()
  }
  const level = LEVELS[record.level as number] ?? { name: String(record.level), color: '0' }
  const time = new Date(typeof record.time === 'number' ? record.time : Date.now()).toTimeString().slice(0, 8)
  const tag = level.name.padEnd(5)
  const where = typeof record.part === 'string' ? `${record.part}: ` : ''
  const extras = Object.entries(record)
    .filter(([k]) => !CONTEXT.has(k))
    .map(([k, v]) => `${k}=${describe(v)}`)
  const text = [`${where}${String(record.msg ?? '')}`, ...extras].join(' ')
  return `${time} ${color ? `\u001b[${level.color}m${tag}\u001b[0m` : tag} ${text}`
}

function describe(value: unknown): string {
  if (typeof value === 'string') return /\s/.test(value) || value === '' ? JSON.stringify(value) : value
  if (value && typeof value === 'object' && 'message' in value && 'type' in value)
    return JSON.stringify((value as { message: unknown }).message)
  return JSON.stringify(value)
}
