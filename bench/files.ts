/**
 * Files: a file of `mib` MiB uploaded on h2 (a client) through its local API, posted (which
 * pushes it to the relay h1; timed until the message is on h3), then opened on h3 (fetched from the relay on demand, verified,
 * stored, served). Figures: MiB/s of each step, against a bare GET of the same bytes from the
 * relay's peer port into h3's namespace (pull.ts: over TLS with the key's proof since issue 13,
 * plain HTTP before; discarded, nothing verified or stored), and
 * each daemon's memory (resident, and its peak) while the file passes.
 */
import { createHash, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import type { Host, Lan } from '../test/multihost/harness.js'
import { bearer } from '../test/multihost/lan-helpers.js'
import type { Build } from './build.js'
import { accountEverywhere, settled, withLan } from './lan.js'

export interface FilesResult {
  mib: number
  uploadMiBs: number
  postMiBs: number
  openMiBs: number
  /** From the request to the page's first byte of the file, ms. */
  openFirstByteMs: number
  plainMiBs: number
  /** CPU seconds per GiB while opening (relay, opener) and during the bare GET (relay, the puller). */
  cpuPerGiB: { openRelay: number; openOpener: number; plainRelay: number; plainPuller: number }
  memory: { host: string; role: string; rssBeforeMiB: number; peakMiB: number }[]
}

const CHUNK = randomBytes(16 * 1024 * 1024)

function memory(host: Host): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${host.pid}/status`, 'utf8')
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0)
  return { rss: Math.round(kib('VmRSS') / 1024), peak: Math.round(kib('VmHWM') / 1024) }
}

/** CPU seconds the process has used (user + system), from /proc. */
function cpuSeconds(host: Host): number {
  const fields = readFileSync(`/proc/${host.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100 // utime, stime in clock ticks (USER_HZ = 100)
}

function send(
  host: Host,
  method: string,
  path: string,
  token: string,
  body: Readable | undefined,
  headers: Record<string, string> = {},
): Promise<{ status: number; bytes: number; text: string; firstByteMs: number }> {
  const started = performance.now()
  let firstByteMs = 0
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath: host.socketPath, method, path, headers: { host: 'localhost', ...bearer(token), ...headers } },
      (res) => {
        let bytes = 0
        let text = ''
        res.on('data', (c: Buffer) => {
          if (bytes === 0) firstByteMs = performance.now() - started
          bytes += c.length
          if (text.length < 4096) text += c.toString()
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, text, firstByteMs })).on('error', reject)
      },
    )
    req.on('error', reject)
    if (body) body.pipe(req)
    else req.end()
  })
}

export function files(opts: { mib: number; build: Build }): Promise<FilesResult> {
  return withLan(3, (lan) => run(lan, opts), { build: opts.build, hostArgs: ['--max-file-mib', String(opts.mib * 2)] })
}

async function run(lan: Lan, opts: { mib: number; build: Build }): Promise<FilesResult> {
  await Promise.all(lan.hosts.map((h) => h.start()))
  const s = await settled(lan)
  const [sender, opener] = lan.hosts.filter((h) => h !== s.relay) as [Host, Host]
  const tokens = await accountEverywhere(lan.hosts)
  const before = new Map(lan.hosts.map((h) => [h, memory(h)]))
  const size = opts.mib * 1024 * 1024
  const hash = createHash('sha256')
  for (let i = 0; i < opts.mib / 16; i++) hash.update(CHUNK)
  const sha256 = hash.digest('hex')

  const started = JSON.parse(
    (
      await send(sender, 'POST', '/api/v1/uploads', tokens.get(sender)!, Readable.from([JSON.stringify({ name: 'bench.bin', size })]), {
        'content-type': 'application/json',
      })
    ).text,
  )
  const t0 = performance.now()
  const chunks = Readable.from(
    (function* () {
      for (let i = 0; i < opts.mib / 16; i++) yield CHUNK
    })(),
  )
  await send(sender, 'PATCH', `/api/v1/uploads/${started.id}`, tokens.get(sender)!, chunks, {
    'content-type': 'application/offset+octet-stream',
    'upload-offset': '0',
  })
  const finished = await send(sender, 'POST', `/api/v1/uploads/${started.id}/finish`, tokens.get(sender)!, undefined)
  const uploadMs = performance.now() - t0
  const file = JSON.parse(finished.text).file
  if (file?.sha256 !== sha256) throw new Error(`the upload hashed to ${file?.sha256}, not ${sha256}: ${finished.text.slice(0, 300)}`)

  const t1 = performance.now()
  const posted = await send(
    sender,
    'POST',
    '/api/v1/rooms/general/messages',
    tokens.get(sender)!,
    Readable.from([JSON.stringify({ text: '', files: [file] })]),
    { 'content-type': 'application/json' },
  )
  // 202 is fine: a big file takes longer to reach the relay than a POST waits; the message follows it.
  if (posted.status !== 201 && posted.status !== 202) throw new Error(`posting answered ${posted.status}: ${posted.text.slice(0, 300)}`)
  const message = JSON.parse(posted.text).message.id as string
  await lan.waitFor(
    'the message on the opener',
    async () =>
      (await opener.api('GET', '/api/v1/rooms/general/messages?limit=5', undefined, bearer(tokens.get(opener)!))).body.messages.some(
        (m: { id: string }) => m.id === message,
      ),
    600_000,
  )
  const postMs = performance.now() - t1

  const cpuBefore = [cpuSeconds(s.relay), cpuSeconds(opener)]
  const t2 = performance.now()
  const opened = await send(opener, 'GET', `/api/v1/rooms/general/messages/${message}/files/${sha256}`, tokens.get(opener)!, undefined)
  const openMs = performance.now() - t2
  const openCpu = [cpuSeconds(s.relay) - cpuBefore[0]!, cpuSeconds(opener) - cpuBefore[1]!]
  if (opened.status !== 200 || opened.bytes !== size) throw new Error(`opening answered ${opened.status} with ${opened.bytes} bytes`)
  const memoryAfter = lan.hosts.map((h) => ({
    host: h.name,
    role: h === s.relay ? 'relay' : h === sender ? 'sender' : 'opener',
    rssBeforeMiB: before.get(h)!.rss,
    peakMiB: memory(h).peak,
  }))

  const relayIp = s.relay.ip
  // The same bytes over the same wire, nothing verified or stored; over TLS with the
  // network key's proof for a TLS build (the key file the harness gave every host).
  const keyArg = opts.build.tls ? [lan.networkKeyFile()] : []
  const relayCpu = cpuSeconds(s.relay)
  const plain = JSON.parse(
    await opener.runScript(join('bench', 'pull.ts'), [relayIp, String(s.relayStatus.peerPort), sha256, ...keyArg], 120_000),
  )
  if (plain.bytes !== size) throw new Error(`the plain GET got ${plain.bytes} bytes`)
  const plainRelayCpu = cpuSeconds(s.relay) - relayCpu
  const rate = (ms: number) => Math.round(opts.mib / (ms / 1000))
  const perGiB = (seconds: number) => Math.round((seconds * 1024 * 10) / opts.mib) / 10
  return {
    mib: opts.mib,
    uploadMiBs: rate(uploadMs),
    postMiBs: rate(postMs),
    openMiBs: rate(openMs),
    openFirstByteMs: Math.round(opened.firstByteMs),
    plainMiBs: rate(plain.ms),
    cpuPerGiB: {
      openRelay: perGiB(openCpu[0]!),
      openOpener: perGiB(openCpu[1]!),
      plainRelay: perGiB(plainRelayCpu),
      plainPuller: perGiB(plain.cpuS ?? 0),
    },
    memory: memoryAfter,
  }
}
