/**
 * The fan-out baselines, each its own process like the relay: a bare `ws` broadcast server
 * (Node WebSockets with nothing else: no parsing, no persistence), the same batching per turn
 * of the event loop, and Mosquitto on 127.0.0.1.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { freePort, ROOT, sleep, tempDir } from './proc.js'

export interface Server {
  pid: number
  port: number
  stop: () => Promise<void>
}

const WS_SERVER = `
import { WebSocketServer } from 'ws'
const wss = new WebSocketServer({ host: '127.0.0.1', port: Number(process.argv[1]), perMessageDeflate: false })
wss.on('connection', (ws) => ws.on('message', (data) => { for (const c of wss.clients) c.send(data, { binary: false }) }))
wss.on('listening', () => process.send && process.send('listening'))
process.on('disconnect', () => process.exit(0))
`

// The same, batching as the relay does: what arrives in one turn of the event loop goes to
// every client as one frame (the relay sends an `entries` frame per ordered batch), so a ratio
// against it measures what SO-CHAT costs, not what batching saves. Subscribers count the
// messages inside a frame (loadgen.ts looks for every mark in it).
const WS_BATCHED_SERVER = `
import { WebSocketServer } from 'ws'
const wss = new WebSocketServer({ host: '127.0.0.1', port: Number(process.argv[1]), perMessageDeflate: false })
let turn = []
const flush = () => { const frame = turn.join('\\n'); turn = []; for (const c of wss.clients) c.send(frame) }
wss.on('connection', (ws) => ws.on('message', (data) => { if (turn.length === 0) setImmediate(flush); turn.push(data.toString()) }))
wss.on('listening', () => process.send && process.send('listening'))
process.on('disconnect', () => process.exit(0))
`

// The "before" of a link set-up with nothing of SO-CHAT in it: a hello answered at once with a
// frame the size of a relay's welcome (no log, no roster, no key).
const WS_HELLO_SERVER = `
import { WebSocketServer } from 'ws'
const wss = new WebSocketServer({ host: '127.0.0.1', port: Number(process.argv[1]), perMessageDeflate: false })
const welcome = JSON.stringify({ type: 'welcome', proto: 1, relay: '0123456789abcdef', name: 'hello-server', term: 1, from: 0, head: 0, checkpoints: [] })
wss.on('connection', (ws) => ws.on('message', (data) => { if (data.includes('"hello"')) ws.send(welcome) }))
wss.on('listening', () => process.send && process.send('listening'))
process.on('disconnect', () => process.exit(0))
`

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  child.kill('SIGTERM')
  const t = setTimeout(() => child.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(t)
}

export const startWsBroadcast = () => startWsScript(WS_SERVER)
export const startWsBatched = () => startWsScript(WS_BATCHED_SERVER)
export const startWsHello = () => startWsScript(WS_HELLO_SERVER)

async function startWsScript(script: string): Promise<Server> {
  const port = await freePort()
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, String(port)], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve())
    child.once('exit', (code) => reject(new Error(`ws broadcast server exited (${code})`)))
  })
  return { pid: child.pid!, port, stop: () => stopChild(child) }
}

export function mosquittoAvailable(): string | null {
  const r = spawnSync('/usr/sbin/mosquitto', ['-h'], { encoding: 'utf8' })
  if (r.error) return 'Mosquitto is not installed (apt-get install -y mosquitto)'
  return null
}

/** Mosquitto on 127.0.0.1 only, no persistence, no auth (nothing but loopback reaches it). */
export async function startMosquitto(): Promise<Server> {
  const port = await freePort()
  const tmp = tempDir('mosquitto')
  const conf = join(tmp.dir, 'mosquitto.conf')
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'log_dest none',
      'max_queued_messages 100000',
      'max_inflight_messages 100',
      'set_tcp_nodelay true',
      '',
    ].join('\n'),
  )
  const child = spawn('/bin/sh', ['-c', 'ulimit -n $(ulimit -Hn) && exec /usr/sbin/mosquitto -c "$1"', 'sh', conf], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break
    const up = await new Promise<boolean>((resolve) => {
      import('node:net').then(
        ({ connect }) => {
          const s = connect(port, '127.0.0.1', () => {
            s.destroy()
            resolve(true)
          }).once('error', () => resolve(false))
        },
        () => resolve(false),
      )
    })
    if (up)
      return {
        pid: child.pid!,
        port,
        stop: async () => {
          await stopChild(child)
          tmp.remove()
        },
      }
    await sleep(50)
  }
  await stopChild(child)
  tmp.remove()
  throw new Error(`mosquitto did not start: ${stderr.trim()}`)
}
