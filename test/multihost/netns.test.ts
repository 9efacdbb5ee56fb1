/**
 * The harness's own plumbing, without any daemon: two namespaced hosts reach each other by
 * TCP and multicast over the private bridge, a cut cable really cuts, and every namespace and
 * temp dir is gone afterwards — after destroy(), after SIGTERM, and after a crash.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { createInterface } from 'node:readline'
import t from 'tap'
import { createLan, jsonLines, REPO_ROOT, type Host } from './harness.js'
import { canBuildNetns, ip, listNamespaces, run } from './netns.js'
import { cleanEnv } from './ns-exec.js'

const FIXTURES = path.join(REPO_ROOT, 'test', 'multihost', 'fixtures')
const PROBE = path.join(FIXTURES, 'net-probe.ts')
const can = canBuildNetns()

t.test('two namespaced hosts share a private LAN', { skip: can.ok ? false : can.reason }, async (t) => {
  const lan = await createLan(t, 2)
  const h1 = lan.hosts[0]!
  const h2 = lan.hosts[1]!
  t.match(h1.ns, /^sc[0-9a-f]{4}h1$/, 'namespace names carry the per-run prefix')
  t.match(h1.ip, /^10\.\d+\.\d+\.1$/)
  t.equal(h2.ip, h1.ip.replace(/\.1$/, '.2'), 'hosts share one /24')

  const links = (await ip('-n', lan.switchNs, '-o', 'link', 'show')).split('\n').filter(Boolean)
  for (const l of links) t.ok((l.split(': ')[1]?.split('@')[0] ?? '').length <= 15, `link name fits IFNAMSIZ: ${l.slice(0, 40)}`)
  t.equal((await ip('-n', h1.ns, 'route', 'show', 'default')).trim(), '', 'no default route: nothing can leave')
  t.match(await ip('-n', h1.ns, 'route', 'show'), /224\.0\.0\.0\/4 dev e0/, 'multicast route on e0')

  const group = '239.255.77.77'
  const server = h2.spawnScript(PROBE, ['serve', h2.ip, '47990', group, '47991'])
  t.teardown(() => void server.kill('SIGKILL'))
  const seen: Array<{ ready?: boolean; mcast?: string; from?: string }> = []
  createInterface({ input: server.stdout! }).on('line', (l) => seen.push(...jsonLines<(typeof seen)[0]>(l)))
  await lan.waitFor('probe server ready', async () => seen.some((s) => s.ready))

  const probe = async () => jsonLines<{ tcp: string }>(await h1.runScript(PROBE, ['probe', h2.ip, '47990', group, '47991', h1.ip]))[0]?.tcp
  t.equal(await probe(), 'pong', 'TCP from h1 reaches h2')
  await lan.waitFor('multicast from h1 at h2', async () => seen.some((s) => s.from === h1.ip && s.mcast === `hello from ${h1.ip}`), 5_000)
  t.pass('multicast from h1 reaches h2')

  await h2.cutLink()
  t.match(await probe(), /^error/, 'a cut cable stops traffic')
  await h2.restoreLink()
  t.equal(await lan.waitFor('traffic after restoreLink', async () => (await probe()) === 'pong' && 'pong', 10_000), 'pong')

  const dirs = lan.hosts.map((h) => h.dataDir)
  await lan.destroy()
  const left = listNamespaces()
  t.same(
    lan.namespaces.filter((ns) => left.includes(ns)),
    [],
    'all namespaces deleted',
  )
  t.same(
    dirs.filter((d) => existsSync(d)),
    [],
    'all data dirs deleted',
  )
  await lan.destroy()
  t.pass('destroy() is idempotent')
})

t.test('split() parts the bridge in two, heal() joins it again', { skip: can.ok ? false : can.reason }, async (t) => {
  const lan = await createLan(t, 3)
  const [h1, h2, h3] = lan.hosts as [Host, Host, Host]
  const group = '239.255.77.78'
  const server = h2.spawnScript(PROBE, ['serve', h2.ip, '47992', group, '47993'])
  t.teardown(() => void server.kill('SIGKILL'))
  let ready = false
  createInterface({ input: server.stdout! }).on('line', (l) => (ready ||= jsonLines<{ ready?: boolean }>(l).some((s) => s.ready)))
  await lan.waitFor('probe server ready', async () => ready)
  const probe = async (from: Host) =>
    jsonLines<{ tcp: string }>(await from.runScript(PROBE, ['probe', h2.ip, '47992', group, '47993', from.ip]))[0]?.tcp

  await lan.split([h1], [h2, h3])
  t.ok(lan.isSplit, 'split in effect')
  t.match(await ip('-n', lan.switchNs, 'link', 'show', h2.veth), /master br1 .*state UP/, "h2's cable is on br1 and up")
  t.match(await probe(h1), /^error/, 'h1 no longer reaches h2')
  t.equal(await probe(h3), 'pong', 'h3 still reaches h2 (same side)')
  await lan.heal()
  t.notOk(lan.isSplit, 'healed')
  t.equal(await lan.waitFor('h1 reaches h2 after heal', async () => (await probe(h1)) === 'pong' && 'pong', 10_000), 'pong')
  await t.rejects(lan.split([h1], [h1, h2]), /overlap/, 'overlapping groups are refused')
})

for (const mode of ['wait', 'throw'] as const) {
  const how = mode === 'wait' ? 'on SIGTERM' : 'when the process crashes'
  t.test(`an abandoned LAN is cleaned up ${how}`, { skip: can.ok ? false : can.reason }, async (t) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(FIXTURES, 'abandon-lan.ts'), mode], {
      cwd: REPO_ROOT,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    t.teardown(() => clearTimeout(killer))
    const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string]
    const made = JSON.parse(line) as { namespaces: string[]; dataDirs: string[] }
    t.ok(
      made.namespaces.every((ns) => listNamespaces().includes(ns)),
      'LAN was built',
    )
    if (mode === 'wait') child.kill('SIGTERM')
    const [code, signal] = (await once(child, 'exit')) as [number | null, string | null]
    t.not(signal, 'SIGKILL', `fixture exited by itself (code ${code}, signal ${signal})`)
    const left = listNamespaces()
    t.same(
      made.namespaces.filter((ns) => left.includes(ns)),
      [],
      'no namespace left behind',
    )
    t.same(
      made.dataDirs.filter((d) => existsSync(d)),
      [],
      'no data dir left behind',
    )
    t.equal((await run('ip', ['-o', 'link', 'show'])).includes(made.namespaces[0]!.slice(0, 6)), false, 'no link left in root ns')
  })
}
