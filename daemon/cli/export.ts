/**
 * `sochat export`: a room, or everything a person may read, into a file, through the running
 * daemon (GET /api/v1/export over the control socket; the CLI never opens the database). It
 * acts as that person: it logs in with their password (typed at the terminal, or from
 * --password-file) over the control socket, streams the export into FILE.part, renames it to
 * FILE once complete (a cut-short export never looks like a finished one), and logs out.
 */
import { createWriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { type IncomingMessage, request } from 'node:http'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { socketPath } from '../config/index.js'
import { readPassword } from './password.js'

export const EXPORT_HELP = `It logs in as --user over the daemon's control socket (the unix socket in its data folder,
readable only by you): it asks for the password at the terminal (nothing is shown as you
type), or reads the first line of --password-file FILE (- for stdin) in scripts. The session
ends when the export does. Without --room, everything that person may read now: every public
room, their private rooms and direct conversations. Sealed (end-to-end encrypted) messages
are opened for them; one that cannot be read is exported with the reason.
Without --out, the file is named after the room and the time, in the current folder; with
--out -, it goes to stdout.`

export interface ExportOptions {
  dataDir: string
  user: string
  room?: string
  format: 'json' | 'html'
  out?: string
  passwordFile?: string
  say: (line: string) => void
}

export async function runExport(o: ExportOptions): Promise<number> {
  const socket = socketPath(o.dataDir)
  const password = await readPassword(o.passwordFile, `Password for ${o.user}: `)
  const login = await send(socket, 'POST', '/api/v1/sessions', {}, JSON.stringify({ username: o.user, password }))
  const logged = JSON.parse(await text(login)) as { token?: string; error?: { code: string; message: string } }
  if (login.statusCode !== 201 || !logged.token) throw refusal('log in', logged)
  const auth = { authorization: `Bearer ${logged.token}` }
  try {
    const query = new URLSearchParams({ format: o.format, ...(o.room ? { room: o.room } : {}) })
    const res = await send(socket, 'GET', `/api/v1/export?${query}`, auth)
    if (res.statusCode !== 200) throw refusal('export', JSON.parse(await text(res)))
    const total = Number(res.headers['x-export-messages'] ?? 0)
    const target = o.out ?? fileNameOf(res.headers['content-disposition'])
    if (target === '-') {
      await pipeline(res, process.stdout)
      return 0
    }
    const part = `${target}.part`
    try {
      await pipeline(res, progress(Number(res.headers['x-export-lines'] ?? 0)), createWriteStream(part, { mode: 0o600 }))
      if (!res.complete) throw new Error('The daemon ended the export before its end; its log says why.')
      await rename(part, target)
    } catch (err) {
      await rm(part, { force: true })
      throw err
    }
    o.say(`Exported ${total} message(s) to ${target}.`)
    return 0
  } finally {
    await send(socket, 'DELETE', '/api/v1/sessions/current', auth).then(text, () => '')
  }
}

function refusal(what: string, body: { error?: { code: string; message: string } }): Error {
  return new Error(`The daemon refused to ${what}: ${body.error?.message ?? 'no reason given'} (${body.error?.code ?? 'unknown'})`)
}

/** The name the daemon chose (ASCII letters, digits, dashes and a dot: daemon/archive exportFileName). */
function fileNameOf(disposition: string | undefined): string {
  const name = /filename="([a-z0-9.-]+)"/.exec(disposition ?? '')?.[1]
  return name ?? 'sochat-export'
}

/** On a terminal, "n of m lines" on stderr as the export arrives; otherwise a pass-through. */
function progress(lines: number): Transform {
  let seen = 0
  let shown = -1
  const tty = process.stderr.isTTY
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (tty && lines > 0) {
        for (const b of chunk) if (b === 10) seen++
        const pct = Math.floor((100 * seen) / lines)
        if (pct !== shown) {
          shown = pct
          process.stderr.write(`\rExporting… ${pct}%`)
        }
      }
      done(null, chunk)
    },
    flush(done) {
      if (tty && shown >= 0) process.stderr.write('\n')
      done()
    },
  })
}

function send(socket: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request({
      socketPath: socket,
      method,
      path,
      headers: { host: 'localhost', ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
    })
    req.on('response', resolve)
    req.on('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'ENOENT' || err.code === 'ECONNREFUSED'
          ? new Error(`No SO-CHAT daemon answers at ${socket}. Is it running (sochat start)?`, { cause: err })
          : err,
      ),
    )
    req.end(body)
  })
}

async function text(res: IncomingMessage): Promise<string> {
  let out = ''
  res.setEncoding('utf8')
  for await (const c of res) out += c
  return out
}
