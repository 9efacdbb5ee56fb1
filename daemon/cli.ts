#!/usr/bin/env node
/**
 * `sochat`: start the daemon in the foreground, ask a running one for its status, stop it,
 * install or remove it as a service (daemon/service). The CLI talks to a running daemon over
 * the unix socket in its data folder; it never opens the database.
 */
import { readFile, stat } from 'node:fs/promises'
import { request } from 'node:http'
import { parseArgs } from 'node:util'
import type { Status } from '../shared/index.js'
import { defaultDataDir, resolveConfig, runtimeFile, socketPath, type RuntimeInfo } from './config/index.js'
import { startDaemon } from './daemon.js'
import { IdentityError, SochatError } from './errors/index.js'
import { loadNetworkKey } from './identity/index.js'
import { runServiceCommand } from './service/command.js'

const USAGE = `Usage:
  sochat start [--data-dir DIR] [--ui-port N] [--peer-port N] [--interface NAME]
               [--network NAME] [--name NAME] [--peer HOST:PORT]... [--no-mdns] [--log-level LEVEL]
               [--max-file-mib N] [--network-key-file FILE] [--open]
  sochat status [--data-dir DIR] [--json]
  sochat network-key [--data-dir DIR]
  sochat stop [--data-dir DIR]
  sochat install-service [--dry-run] [--system [--user NAME]] [--no-start]
                         [--data-dir DIR] [--ui-port N] [--peer-port N] [--interface NAME]
                         [--network NAME] [--name NAME] [--network-key-file FILE]
  sochat uninstall-service [--dry-run] [--system] [--no-start]`

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  switch (command) {
    case 'start':
      return start(rest)
    case 'status':
      return status(rest)
    case 'stop':
      return stop(rest)
    case 'network-key':
      return printNetworkKey(rest)
    case 'install-service':
      return runServiceCommand('install', rest)
    case 'uninstall-service':
      return runServiceCommand('uninstall', rest)
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      console.log(USAGE)
      return command === undefined ? 2 : 0
    default:
      console.error(`Unknown command "${command}".\n${USAGE}`)
      return 2
  }
}

async function start(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      'data-dir': { type: 'string' },
      'ui-port': { type: 'string' },
      'peer-port': { type: 'string' },
      interface: { type: 'string' },
      network: { type: 'string' },
      name: { type: 'string' },
      peer: { type: 'string', multiple: true },
      'no-mdns': { type: 'boolean' },
      'log-level': { type: 'string' },
      'max-file-mib': { type: 'string' },
      'network-key-file': { type: 'string' },
      open: { type: 'boolean' },
    },
  })
  const config = resolveConfig({
    networkKeyFile: values['network-key-file'],
    open: values.open === true,
    dataDir: values['data-dir'],
    uiPort: values['ui-port'],
    peerPort: values['peer-port'],
    interface: values.interface,
    network: values.network,
    name: values.name,
    peer: values.peer,
    mdns: !values['no-mdns'],
    logLevel: values['log-level'],
    maxFileMib: values['max-file-mib'],
  })
  const daemon = await startDaemon(config)
  // On stderr, so stdout stays the JSON log; the person starting it wants the address.
  console.error(`SO-CHAT is running. Open ${daemon.ui} in your browser. Data: ${config.dataDir}`)
  await new Promise<void>((resolve) => {
    const stopOnce = () => resolve()
    process.once('SIGINT', stopOnce)
    process.once('SIGTERM', stopOnce)
  })
  await daemon.stop()
  // Everything that matters is closed and synced; idle keep-alive sockets of the neighbour
  // probes would otherwise hold the process for seconds, and a service manager waits for it.
  setImmediate(() => process.exit(0))
  return 0
}

async function status(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { 'data-dir': { type: 'string' }, json: { type: 'boolean' } } })
  const dataDir = values['data-dir'] ?? defaultDataDir()
  const s = await getJson<Status>(socketPath(dataDir), '/api/v1/status')
  if (values.json) {
    console.log(JSON.stringify(s))
  } else {
    const relay = s.role === 'relay' ? 'this machine' : (s.relayName ?? 'none yet')
    console.log(`${s.name} (${s.nodeId}) is ${s.role}; relay: ${relay}; term ${s.term}; log head ${s.head}`)
    console.log(`page: ${s.ui}; peers: ${s.peers.map((p) => p.name).join(', ') || 'none'}; online: ${s.online.join(', ') || 'nobody'}`)
    console.log(`fingerprint: ${s.fingerprint}`)
  }
  return 0
}

async function stop(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { 'data-dir': { type: 'string' } } })
  const dataDir = values['data-dir'] ?? defaultDataDir()
  const info = JSON.parse(await readFile(runtimeFile(dataDir), 'utf8')) as RuntimeInfo
  process.kill(info.pid, 'SIGTERM')
  console.error(`Asked the daemon (pid ${info.pid}) to stop.`)
  return 0
}

/** `sochat network-key`: the key as one line, for a key file (`--network-key-file`) on the next machine. */
async function printNetworkKey(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { 'data-dir': { type: 'string' } } })
  const dataDir = values['data-dir'] ?? defaultDataDir()
  // Only the folder's owner: root reading another user's key would hand it to whoever asked root.
  const owner = await stat(dataDir).then(
    (st) => st.uid,
    () => null,
  )
  if (owner === null)
    throw new IdentityError('network_key_missing', `There is no SO-CHAT data folder at ${dataDir}. Choose it with --data-dir.`)
  if (process.getuid && owner !== process.getuid())
    throw new IdentityError('network_key_invalid', `The data folder ${dataDir} is not yours; only its owner may print its network key.`)
  const key = await loadNetworkKey(dataDir)
  if (!key)
    throw new IdentityError(
      'network_key_missing',
      'This machine holds no network key yet: it makes one when it founds a network (no other machine found) or receives one when a person lets it in. Run `sochat start` first.',
    )
  console.log(key.toString())
  return 0
}

function getJson<T>(socket: string, path: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, path, headers: { host: 'localhost' }, timeout: 5000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => {
        try {
          resolve(JSON.parse(body) as T)
        } catch (err) {
          reject(err)
        }
      })
    })
    req.on('timeout', () => req.destroy(new Error('The daemon did not answer within 5 s.')))
    req.on('error', (err) => reject(new Error(`No SO-CHAT daemon answers at ${socket}. Is it running (sochat start)?`, { cause: err })))
    req.end()
  })
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    // The code too, so a service log (a refused machine key...) can be searched for it.
    const message = err instanceof SochatError ? `${err.message} (${err.code})` : err instanceof Error ? err.message : String(err)
    console.error(`sochat: ${message}`)
    process.exitCode = 1
  },
)
