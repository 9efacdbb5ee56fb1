/**
 * `sochat status` against a real daemon on loopback (mDNS off): the CLI finds it through the
 * unix socket in the data folder and prints what the status says, this machine's key
 * fingerprint included, as JSON and for a person. Run from source (tsx), no build needed.
 */
import { execFile } from 'node:child_process'
import { type AddressInfo, createServer } from 'node:net'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'
import type { Status } from '../../shared/index.js'
import { startLocalDaemon } from './http/local-daemon.js'

const CLI = fileURLToPath(new URL('../../daemon/cli.ts', import.meta.url))
const sochat = (...args: string[]) => promisify(execFile)(process.execPath, ['--import=tsx', CLI, ...args], { timeout: 30_000 })

t.test('sochat status shows the fingerprint', async (t) => {
  // Short, so the unix socket's path fits (about 100 bytes at most); tap's testdir is too deep.
  const dataDir = await mkdtemp(join(tmpdir(), 'sochat-cli-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const daemon = await startLocalDaemon(t, dataDir, 'cli-host')
  const own = daemon.status()
  t.match(own.fingerprint, /^([0-9A-F]{4}-){7}[0-9A-F]{4}$/, 'the status has a fingerprint')

  const json = JSON.parse((await sochat('status', '--json', '--data-dir', dataDir)).stdout) as Status
  t.equal(json.fingerprint, own.fingerprint, '--json: the same fingerprint')
  t.equal(json.nodeId, daemon.nodeId, '--json: the same node id')

  const { stdout } = await sochat('status', '--data-dir', dataDir)
  t.match(stdout, `cli-host (${daemon.nodeId})`, 'for a person: the name and node id')
  t.match(stdout, `\nfingerprint: ${own.fingerprint}\n`, 'for a person: the fingerprint, whole')
})

t.test('sochat status names the port to open, and warns when the peer port asked for was taken', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'sochat-cli-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  // Something else holds a port on every interface: the daemon must take the next one and say so.
  const squatter = createServer()
  await new Promise<void>((resolve) => squatter.listen(0, '0.0.0.0', resolve))
  t.teardown(() => new Promise((resolve) => squatter.close(resolve)))
  const taken = (squatter.address() as AddressInfo).port
  const daemon = await startLocalDaemon(t, dataDir, 'cli-host', [], { peerPort: String(taken) })
  const reach = daemon.status().reach
  t.equal(reach.peerPort.asked, taken, 'the port asked for')
  t.not(reach.peerPort.bound, taken, 'is not the one bound')
  t.equal(reach.mdns.state, 'off', 'mDNS is off (--no-mdns)')

  const { stdout } = await sochat('status', '--data-dir', dataDir)
  t.match(stdout, `\nports: other machines connect to TCP ${reach.peerPort.bound} (open it in a firewall)`, 'the port to open')
  t.match(stdout, `\nwarning: peer port ${taken} was in use, so this daemon listens on ${reach.peerPort.bound}`, 'why it moved')
  t.match(stdout, '\nmDNS: off (--no-mdns)', 'discovery off, said so')
})

t.test('sochat network-key prints the key as one line, and says clearly when there is none yet', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'sochat-cli-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const none = await sochat('network-key', '--data-dir', dataDir).then(
    () => null,
    (err: { code: number; stderr: string }) => err,
  )
  t.equal(none?.code, 1, 'no key yet: exit status 1')
  t.match(none?.stderr, /holds no network key yet.*\(network_key_missing\)/s, 'with words and the stable code')

  const key = `sochat-key-1.${Buffer.alloc(32, 3).toString('base64url')}`
  await writeFile(join(dataDir, 'network-key'), `${key}\n`, { mode: 0o600 })
  const { stdout } = await sochat('network-key', '--data-dir', dataDir)
  t.equal(stdout, `${key}\n`, 'the key, one line')

  const missing = await sochat('network-key', '--data-dir', join(dataDir, 'nope')).then(
    () => null,
    (err: { stderr: string }) => err,
  )
  t.match(missing?.stderr, /no SO-CHAT data folder/, 'a folder that does not exist is named')
})
