/**
 * The Network panel's routes, on a real UiServer with a fake admission desk (the real one,
 * daemon/admission, is wired into daemon.ts separately): only a signed-in person reaches them,
 * a cookie needs its CSRF token as everywhere, bad ids and actions are refused before the desk
 * is asked, the desk's refusals come back with their codes and statuses, and the desk learns
 * who acted. Without a desk, every route says so with 503.
 */
import { join } from 'node:path'
import pino from 'pino'
import t, { type Test } from 'tap'
import type { MachineAction, MachinesResponse, MachineView, NetworkView } from '../../../shared/index.js'
import { Accounts } from '../../../daemon/accounts/index.js'
import { ConflictError, InputError } from '../../../daemon/errors/index.js'
import { Auth, PageSockets, UiServer, machinesChangedHint, type HttpContext, type MachineDesk } from '../../../daemon/http/index.js'
import { Store } from '../../../daemon/store/index.js'
import { call, type Reply } from './local-daemon.js'

const root = t.testdir()
const BOB = 'b0b0b0b0b0b0b0b0'
const NETWORK: NetworkView = { name: 'lab', open: false, standing: 'member', interface: 'eth0' }
const bob = (state: MachineView['state']): MachineView => ({
  nodeId: BOB,
  name: 'bob-laptop',
  fingerprint: '4F2A-0000-1111-2222-3333-4444-5555-6666',
  state,
  address: '192.168.1.20',
  lastSeen: 1_700_000_000_000,
  linked: false,
  problem: null,
  seenBy: ['mdns'],
})

/** A desk with one asking machine, that records who asked it what. */
class FakeDesk implements MachineDesk {
  readonly calls: string[] = []
  machine = bob('asking')
  network = { ...NETWORK }
  list(): MachinesResponse {
    return { network: this.network, machines: [this.machine], unlisted: 0 }
  }
  async act(nodeId: string, action: MachineAction, by: string): Promise<MachineView> {
    this.calls.push(`${by} ${action} ${nodeId}`)
    if (nodeId !== BOB) throw new InputError('machine_unknown', 'No machine with that id has been seen.')
    if (action === 'admit' && this.machine.state !== 'asking')
      throw new ConflictError('machine_state', 'bob-laptop is not asking to join; there is nothing to let in.')
    this.machine = bob(action === 'admit' ? 'member' : action === 'refuse' ? 'refused' : 'removed')
    return this.machine
  }
  async setOpen(open: boolean, by: string): Promise<NetworkView> {
    this.calls.push(`${by} open=${open}`)
    if (this.network.standing !== 'member')
      throw new ConflictError('not_network_member', 'This machine is not a member of lab, so it cannot open or close it.')
    this.network = { ...this.network, open }
    return this.network
  }
}

async function server(t: Test, name: string, machines?: MachineDesk) {
  const store = await Store.open(join(root, name))
  const accounts = new Accounts(store)
  const ctx = {
    store,
    accounts,
    auth: new Auth(accounts.sessions, 'abcdef0123456789'),
    pages: new PageSockets(),
    log: pino({ level: 'silent' }),
    status: () => {
      throw new Error('not in these tests')
    },
    machines,
  } as Partial<HttpContext> as HttpContext
  const ui = await UiServer.build(ctx, root)
  const base = await ui.listen(0, 1)
  t.teardown(async () => {
    await ui.close()
    await store.close()
  })
  const alice = await accounts.sessions.issue('alice')
  return { base, alice, cookie: `${ctx.auth.cookieName}=${alice.cookie}`, store }
}

type Asserts = { same: (a: unknown, b: unknown, m: string) => boolean }
function answered(t: Asserts, r: Reply, status: number, code: string, what: string): void {
  t.same([r.status, r.body?.error?.code], [status, code], `${what}: ${status} ${code}`)
}

t.test('the machines routes', async (t) => {
  const desk = new FakeDesk()
  const { base, alice, cookie, store } = await server(t, 'with-desk', desk)
  const as = (path: string, json?: unknown) => call(base, path, { token: alice.token, json })

  await t.test('only for a signed-in person, with the CSRF token when by cookie', async (t) => {
    answered(t, await call(base, '/api/v1/machines'), 401, 'unauthenticated', 'listing without a session')
    answered(t, await call(base, `/api/v1/machines/${BOB}/admit`, { json: {} }), 401, 'unauthenticated', 'admitting without one')
    answered(t, await call(base, '/api/v1/network', { json: { open: true } }), 401, 'unauthenticated', 'opening without one')
    answered(t, await call(base, '/api/v1/machines', { headers: { cookie } }), 403, 'csrf_failed', 'the cookie alone, even for a GET')
    const withToken = await call(base, '/api/v1/machines', { headers: { cookie, 'x-csrf-token': alice.csrfToken } })
    t.equal(withToken.status, 200, 'the cookie and its CSRF token: the page')
    t.same(desk.calls, [], 'and the desk was never asked to act by anyone refused')
  })

  await t.test('the list is the desk’s, as it is', async (t) => {
    const r = await as('/api/v1/machines')
    t.equal(r.status, 200)
    t.same(r.body, { ...desk.list(), forks: [] }, 'network and machines, every field, and no fork')
  })

  await t.test('a fork this machine holds proof of is listed, by the name the desk knows', async (t) => {
    const said = { network: 'lab', relayId: desk.machine.nodeId, term: 7, seq: 5, sig: `${'A'.repeat(86)}==` }
    const proof = {
      relayKey: 'b'.repeat(64),
      relayId: desk.machine.nodeId,
      fingerprint: desk.machine.fingerprint,
      term: 7,
      kept: { ...said, chain: 'c'.repeat(64) },
      contradicting: { ...said, chain: 'd'.repeat(64) },
      why: 'two chains for entry 5',
      detectedAt: 1_700_000_000_000,
    }
    t.equal(await store.order.recordFork(proof), true)
    const r = await as('/api/v1/machines')
    t.same(
      r.body.forks,
      [
        {
          relayId: desk.machine.nodeId,
          name: desk.machine.name,
          fingerprint: desk.machine.fingerprint,
          term: 7,
          detectedAt: proof.detectedAt,
        },
      ],
      'who, which term, when: what the panel says',
    )
  })

  await t.test('a bad id or action is refused before the desk hears of it', async (t) => {
    answered(t, await as('/api/v1/machines/not-a-node/admit', {}), 400, 'bad_request', 'an id that is no node id')
    answered(t, await as(`/api/v1/machines/${BOB.toUpperCase()}/admit`, {}), 400, 'bad_request', 'an id in capitals')
    answered(t, await as(`/api/v1/machines/${BOB}/promote`, {}), 400, 'bad_request', 'an action that does not exist')
    answered(t, await as(`/api/v1/machines/${BOB}`, {}), 404, 'not_found', 'no action at all')
    answered(t, await as('/api/v1/network', { open: 'yes' }), 400, 'bad_request', 'open as a string')
    answered(t, await as('/api/v1/network', {}), 400, 'bad_request', 'no open at all')
    t.same(desk.calls, [], 'the desk was asked nothing')
  })

  await t.test('letting a machine in: the person’s name goes to the desk, the machine comes back', async (t) => {
    const r = await as(`/api/v1/machines/${BOB}/admit`, {})
    t.equal(r.status, 200)
    t.same(r.body, { machine: bob('member') }, 'bob-laptop, now a member')
    t.same(desk.calls, [`alice admit ${BOB}`], 'asked by alice')
  })

  await t.test('the desk’s refusals keep their codes and statuses', async (t) => {
    answered(t, await as(`/api/v1/machines/${BOB}/admit`, {}), 409, 'machine_state', 'letting in a member again')
    answered(t, await as('/api/v1/machines/0123456789abcdef/refuse', {}), 404, 'machine_unknown', 'a machine never seen')
    const r = await as(`/api/v1/machines/${BOB}/admit`, {})
    t.match(r.body.error.message, /not asking to join/, 'with the desk’s sentence')
    desk.network.standing = 'asking'
    answered(t, await as('/api/v1/network', { open: true }), 409, 'not_network_member', 'opening from a machine without the key')
    desk.network.standing = 'member'
  })

  await t.test('opening and closing the network', async (t) => {
    desk.calls.length = 0
    const opened = await as('/api/v1/network', { open: true })
    t.same([opened.status, opened.body], [200, { network: { ...NETWORK, open: true } }], 'open')
    const closed = await as('/api/v1/network', { open: false })
    t.same(closed.body.network.open, false, 'and closed again')
    t.same(desk.calls, ['alice open=true', 'alice open=false'], 'each by alice')
  })
})

t.test('a daemon without an admission desk says so', async (t) => {
  const { base, alice } = await server(t, 'no-desk')
  for (const [path, json] of [
    ['/api/v1/machines', undefined],
    [`/api/v1/machines/${BOB}/admit`, {}],
    ['/api/v1/network', { open: true }],
  ] as const) {
    const r = await call(base, path, { token: alice.token, json })
    answered(t, r, 503, 'internal', path)
    t.match(r.body.error.message, /no admission desk/, `${path}: in words`)
  }
  answered(t, await call(base, '/api/v1/machines'), 401, 'unauthenticated', 'and still 401 first without a session')
})

t.test('a burst of changes tells the pages once', async (t) => {
  const sent: unknown[] = []
  const changed = machinesChangedHint({ broadcast: (e) => void sent.push(e) }, 20)
  changed()
  changed()
  changed()
  t.same(sent, [], 'not at once')
  await new Promise((r) => setTimeout(r, 60))
  t.same(sent, [{ type: 'machines' }], 'one hint for three changes')
  changed()
  await new Promise((r) => setTimeout(r, 60))
  t.equal(sent.length, 2, 'and a later change hints again')
})
