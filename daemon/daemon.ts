/**
 * sochatd: wires the concerns together in the order a message flows, and takes them down in
 * reverse. Each piece is made here and handed what it needs; nothing is global.
 */
import { join } from 'node:path'
import pino, { type Logger } from 'pino'
import type { Entry, Reach, Status } from '../shared/index.js'
import { Accounts } from './accounts/index.js'
import { socketPath, writeRuntime, type DaemonConfig, makeDataDirPrivate } from './config/index.js'
import { InputError } from './errors/index.js'
import { Desktop, OsNotifier, ensureAgentSecret, openInBrowser } from './desktop/index.js'
import { BlobSweeper, openFiles } from './files/index.js'
import { DiscoveryWindow, MDNS_OFF, MdnsDiscovery, PeerDirectory, chooseInterface, probeOver } from './discovery/index.js'
import { Auth, LiveFeed, machinesChangedHint, PageSockets, PASS_CHECK_MS, PresencePasses, UiServer } from './http/index.js'
import { Admission, answerRekey, openAtStart, NetworkDesk, Newcomer, RemovedList, removeMember } from './admission/index.js'
import { loadMachineIdentity, loadNetworkKey, readKeyFileGiven, saveNetworkKey, type NetworkKey } from './identity/index.js'
import { PeerServer, PeerTls, remoteIp } from './link/index.js'
import { Outbox } from './outbox/index.js'
import { Replica } from './replica/index.js'
import { Coordinator, NOT_RELAY_GATE } from './roles/index.js'
import { unlistedMachines } from './relay/index.js'
import { isTerm } from './election/index.js'
import { indexAsApplied, Search } from './search/index.js'
import { buildStatus } from './status.js'
import { put, Store } from './store/index.js'

export interface RunningDaemon {
  nodeId: string
  ui: string
  status: () => Status
  stop: () => Promise<void>
  /** Settles when `sochat stop` asks over the control socket (daemon/http/routes/control.ts); the owner then calls stop(). */
  stopRequested: Promise<void>
}

export async function startDaemon(config: DaemonConfig, log: Logger = pino({ level: config.logLevel })): Promise<RunningDaemon> {
  // Here rather than in cli.ts: whoever starts a daemon (the CLI, tests, an embedder) gets a
  // private folder before the first byte is written to it.
  await makeDataDirPrivate(config.dataDir)
  const { identity, replacedNodeId } = await loadMachineIdentity(config.dataDir)
  const nodeId = identity.nodeId
  log = log.child({ node: nodeId, name: config.name })
  if (replacedNodeId) log.warn({ oldNodeId: replacedNodeId }, 'made this machine a key; its node id now follows from the key')
  const admission = new Admission({
    dataDir: config.dataDir,
    identity,
    network: config.network,
    key: await networkKeyAtStart(config),
    open: await openAtStart(config.dataDir, config.open),
    removed: await RemovedList.load(config.dataDir),
    log: log.child({ part: 'admission' }),
  })
  const tls = new PeerTls({ identity, networkKey: () => admission.key() })
  const iface = config.mdns ? chooseInterface(config.interface) : null
  const store = await Store.open(join(config.dataDir, 'db'), { log: log.child({ part: 'store' }) })
  const replica = new Replica(store, identity.privateKey)
  const accounts = new Accounts(store)
  const search = await openSearch(config.dataDir, store, replica, accounts, log.child({ part: 'search' }))
  const pages = new PageSockets()
  const startedAt = Date.now()
  let status: () => Status = () => {
    throw new Error('status before start')
  }
  const files = await openFiles(config.dataDir, config.maxFileBytes, () => status(), tls, log.child({ part: 'files' }))
  const outbox = new Outbox(store, replica, nodeId, log.child({ part: 'outbox' }), (s, offer) => files.toRelay(s, offer))

  // The peer port is open before the coordinator exists (it needs the port): until then, links are turned away.
  let built: Coordinator | null = null
  const peerServer = await PeerServer.listen({
    host: '0.0.0.0',
    port: config.peerPort,
    portAttempts: config.portAttempts,
    tls,
    log: log.child({ part: 'link' }),
    advert: () => built!.advert(),
    onLink: (conn) => (built ? built.onLink(conn) : conn.fail('not_relay', 'Starting up.')),
    blobs: (req, res, sha256) => files.transfer.serve(req, res, sha256, built?.blobGate() ?? NOT_RELAY_GATE),
    join: (req, res, standing) => admission.answerJoin(req, res, standing, remoteIp(req.socket)),
    rekey: (req, res, standing) => answerRekey(admission, req, res, standing),
  })
  const me = { nodeId, fingerprint: identity.fingerprint, name: config.name, network: config.network, startedAt, peerPort: peerServer.port }
  const directory = new PeerDirectory({ selfId: () => nodeId, probe: probeOver(tls), log: log.child({ part: 'directory' }) })
  for (const p of config.peers) directory.add(p.host, p.port, 'static')
  const discoveryWindow = new DiscoveryWindow(config.peers.length > 0 ? 'peers' : iface ? 'mdns' : 'nothing')
  // A term saved before terms had bounds (a rogue's 2^53 - 1) would make this machine's advert
  // one no upgraded neighbour parses: start from 0 and learn the network's term again.
  const storedTerm = Number((await store.meta.get('term')) ?? 0)
  const savedTerm = isTerm(storedTerm) ? storedTerm : 0
  if (savedTerm !== storedTerm) log.error({ code: 'claim_absurd', storedTerm }, 'the saved term is past the bound; starting from 0')
  const passes = new PresencePasses(nodeId, pages, log.child({ part: 'presence' }))
  const coordinator = new Coordinator({
    me,
    replica,
    outbox,
    directory,
    discoveryWindow,
    tls,
    log: log.child({ part: 'roles' }),
    localPresence: () => ({ users: pages.users(), away: pages.away(), passes: passes.current() }),
    savedTerm,
    hasBlob: async (sha256) => (await files.blobs.size(sha256)) !== null,
    maxFileBytes: config.maxFileBytes,
    saveTerm: (term) => store.write([put(store.meta, 'term', term)]),
  })
  built = coordinator
  // A pass lasts a day: while a page stays open, its person's is made again before it runs out.
  const passRenewal = setInterval(() => passes.anyDue() && coordinator.presenceChanged(), PASS_CHECK_MS)
  passRenewal.unref()

  const mdns = iface
    ? new MdnsDiscovery({
        iface,
        log: log.child({ part: 'mdns' }),
        onUp: (s) => {
          if (s.advert.nodeId !== nodeId) discoveryWindow.heard(s.host)
          directory.add(s.host, s.port, 'mdns', s.advert)
          coordinator.nudge()
        },
        onDown: (host, port) => directory.remove(host, port),
        onServiceQueried: (from) => discoveryWindow.heard(from),
      })
    : null
  coordinator.on('advert', (advert) => mdns?.publish(advert))

  const desk = new NetworkDesk(admission, {
    self: { nodeId, name: config.name, fingerprint: identity.fingerprint },
    network: config.network,
    interfaceName: iface?.name ?? null,
    seen: () => directory.seen(),
    linked: () => (coordinator.roster?.peers ?? []).filter((p) => p.nodeId !== nodeId),
    unlisted: () => unlistedMachines(coordinator.roster, nodeId),
    remove: (target, by) => removeFromNetwork(admission, tls, directory, target, by, log.child({ part: 'admission' })),
  })
  const machinesChanged = machinesChangedHint(pages)
  admission.on('changed', machinesChanged)
  coordinator.on('changed', machinesChanged) // who is linked: the roster moved
  admission.on('rekeyed', (removed) => coordinator.cutOff(removed.nodeId))

  let ui = ''
  const live = new LiveFeed(pages, store.views, log.child({ part: 'live' }))
  const reach = (): Reach => ({
    // Read once at start: status is asked for while stopping too, when the server is closed.
    peerPort: { asked: config.peerPort, bound: me.peerPort },
    uiPort: { asked: config.uiPort, bound: ui ? Number(new URL(ui).port) : 0 },
    mdns: mdns?.hearing.health() ?? MDNS_OFF,
  })
  status = () =>
    buildStatus(
      coordinator,
      me,
      config.network,
      ui,
      replica.head,
      { users: pages.users(), away: pages.away() },
      directory,
      reach(),
      store.disk.state,
    )
  const desktopLog = log.child({ part: 'desktop' })
  const desktop = await Desktop.open({
    store,
    sessions: accounts.sessions,
    pages,
    status,
    log: desktopLog,
    burstMs: config.notifyBurstMs,
    sink: new OsNotifier(desktopLog, (room) => openInBrowser(`${ui}/#room=${encodeURIComponent(room)}`, desktopLog)),
  })
  let requestStop = () => {}
  const stopRequested = new Promise<void>((resolve) => (requestStop = resolve))
  const server = await UiServer.build(
    {
      requestStop: () => requestStop(),
      store,
      accounts,
      outbox,
      pages,
      log: log.child({ part: 'http' }),
      status,
      submitTimeoutMs: 8000,
      auth: new Auth(accounts.sessions, nodeId),
      desktop,
      agentSecret: await ensureAgentSecret(config.dataDir),
      machines: desk,
      blobs: files.blobs,
      uploads: files.uploads,
      maxFileBytes: () => coordinator.maxFileBytes,
      fetchBlob: (sha256, origin) => files.transfer.ensure(sha256, origin),
      streamBlob: (sha256, size, origin) => files.transfer.stream(sha256, size, origin),
      search,
      typing: (username, room, on) => live.typedHere(username, room, on, (t) => coordinator.sendTyping(t)),
    },
    config.webRoot,
  )
  ui = await server.listen(config.uiPort, config.portAttempts)
  desktop.statusChanged() // now with the page's address
  // A full disk, and its end, show at once on the pages' banner and in the tray (daemon/store/disk.ts).
  store.disk.on('changed', () => {
    pages.broadcast({ type: 'status', status: status() })
    desktop.statusChanged()
  })
  await server.listenSocket(socketPath(config.dataDir))

  wireLiveEvents(replica, coordinator, pages, live, status)
  wireDesktop(replica, coordinator, pages, desktop)
  replica.on('applied', (entries: Entry[]) => files.eager(entries))
  // Files no message refers to (a deleted message's, a push whose message never came) go
  // after an hour, on every machine (daemon/files/sweep.ts).
  const sweeper = new BlobSweeper(
    files.blobs,
    {
      messageFiles: () => store.views.messageFiles(),
      avatars: async () => Object.values(await store.views.avatars()),
      pending: () => outbox.pending(),
      onApplied: (fn) => {
        replica.on('applied', fn)
        return () => replica.off('applied', fn)
      },
    },
    log.child({ part: 'files' }),
  )
  sweeper.start()
  outbox.on('failed', (s, code, message) => {
    if (s.body.type === 'message.posted') pages.broadcastTo(s.body.author, { type: 'failed', id: s.id, code, message })
  })
  coordinator.start()
  const refusingHolders = () =>
    directory.seen().filter((p) => p.peer && p.unproved && p.host !== '' && !admission.removed.has(p.peer.sha256))
  const newcomer = new Newcomer({
    admission,
    tls,
    identity,
    name: config.name,
    network: config.network,
    candidates: () => directory.seen().filter((p) => p.host !== ''),
    discoveryWindow,
    // Stale: nobody proves our key, yet machines answer that hold one (they answer our join with 202/403, not 409).
    staleKey: () => directory.alive().length === 0 && coordinator.role !== 'client' && refusingHolders().length > 0,
    holders: () => refusingHolders(),
    log: log.child({ part: 'admission' }),
  })
  admission.on('member', () => coordinator.nudge())
  newcomer.start()
  await writeRuntime(config.dataDir, { pid: process.pid, ui, socket: socketPath(config.dataDir), nodeId })
  log.info({ ui, peerPort: peerServer.port, interface: iface ?? 'mDNS off', network: config.network }, 'SO-CHAT daemon started')

  return {
    nodeId,
    ui,
    status,
    stopRequested,
    stop: async () => {
      clearInterval(passRenewal)
      newcomer.stop()
      sweeper.stop()
      await coordinator.stop()
      desktop.close()
      outbox.close()
      pages.closeAll()
      await mdns?.stop()
      await server.close()
      await peerServer.close()
      tls.close()
      await search.close()
      await store.close()
      log.info('SO-CHAT daemon stopped')
    },
  }
}

/**
 * The search index (daemon/search), fed as the replica applies and truncates; a person's
 * in-memory index of encrypted rooms closes when their last session here ends.
 */
async function openSearch(dataDir: string, store: Store, replica: Replica, accounts: Accounts, log: Logger): Promise<Search> {
  const search = await Search.open(dataDir, store, log)
  indexAsApplied(replica, search.indexer)
  const hasSession = async (username: string) => {
    for await (const s of store.sessions.values()) if (s.username.toLowerCase() === username) return true
    return false
  }
  accounts.sessions.on('changed', () => {
    search.sealed.sessionsChanged(hasSession).catch((err) => log.error({ err }, 'closing in-memory search indexes failed'))
  })
  return search
}

/**
 * The network key this start runs with: the file given with --network-key-file (saved into the
 * data folder, replacing what was there: the person chose that network), else the one kept
 * in the data folder, else none yet (Newcomer founds one or asks to be let in).
 */
async function networkKeyAtStart(config: DaemonConfig): Promise<NetworkKey | null> {
  if (!config.networkKeyFile) return loadNetworkKey(config.dataDir)
  const given = await readKeyFileGiven(config.networkKeyFile)
  const kept = await loadNetworkKey(config.dataDir).catch(() => null)
  if (!given.equals(kept)) await saveNetworkKey(config.dataDir, given)
  return given
}

/**
 * A person removes a member: its key must be known here (seen over TLS), and every member
 * reachable now (a fresh probe) gets the new key (admission/removal.ts).
 */
async function removeFromNetwork(
  admission: Admission,
  tls: PeerTls,
  directory: PeerDirectory,
  nodeId: string,
  by: string,
  log: Logger,
): Promise<void> {
  await directory.probeAll(1500)
  const seen = directory.seen()
  const target = seen.find((p) => p.peer?.nodeId === nodeId)?.peer
  if (!target)
    throw new InputError(
      'machine_unknown',
      'This machine has not seen that machine’s key, so it cannot remove it. Try again while it is on.',
    )
  const members = seen.flatMap((p) => (p.member && p.peer ? [{ host: p.host, port: p.port, peer: p.peer }] : []))
  const name = seen.find((p) => p.peer?.nodeId === nodeId)?.advert?.name ?? nodeId
  const machine = { sha256: target.sha256, nodeId: target.nodeId, fingerprint: target.fingerprint, name }
  const { handed, missed } = await removeMember(admission, tls, machine, by, members)
  log.warn(
    { removed: target.fingerprint, by, handed: handed.length, missed },
    'removed a machine; the new key went to the members reachable now',
  )
}

/** New entries go to the pages that may see them, status changes to every open page. */
function wireLiveEvents(replica: Replica, coordinator: Coordinator, pages: PageSockets, live: LiveFeed, status: () => Status): void {
  replica.on('applied', (entries: Entry[]) => live.applied(entries))
  replica.on('truncated', () => pages.broadcast({ type: 'history' }))
  coordinator.on('typing', (t) => live.typing(t.room, t.username, t.on))
  // biome-ignore lint/correctness/noUnusedVariables: read by `??=` below, which the rule does not count
  let pending: NodeJS.Timeout | null = null
  const statusChanged = () => {
    // Rosters arrive every 2 s and roles can flap during an election: coalesce.
    pending ??= setTimeout(() => {
      pending = null
      pages.broadcast({ type: 'status', status: status() })
    }, 100)
  }
  coordinator.on('changed', statusChanged)
  pages.on('presence', () => {
    coordinator.presenceChanged()
    statusChanged()
  })
}

/** The tray's state and the notifications follow the log, the roles and the open pages. */
function wireDesktop(replica: Replica, coordinator: Coordinator, pages: PageSockets, desktop: Desktop): void {
  replica.on('applied', (entries: Entry[]) => desktop.onApplied(entries))
  replica.on('truncated', () => void desktop.refresh())
  coordinator.on('changed', () => desktop.statusChanged())
  pages.on('presence', () => desktop.statusChanged())
  pages.on('watching', (username) => desktop.pageWatching(username))
}
