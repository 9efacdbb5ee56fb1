/**
 * sochatd, the SO-CHAT daemon. Public entry: `startDaemon`. Folders in the order a message
 * travels: discovery -> election -> link -> relay -> replica -> store; accounts, outbox and
 * http serve the person at this machine; roles switches between client and relay.
 */
export { startDaemon, type RunningDaemon } from './daemon.js'
export { resolveConfig, type DaemonConfig, type StartFlags } from './config/index.js'
export { SochatError } from './errors/index.js'
