/**
 * sochatd, the SO-CHAT daemon. Public entry: `startDaemon`. Folders (README.md here has one
 * line each): a message goes http -> outbox -> roles -> link -> relay -> replica -> store ->
 * http/live-feed -> the page; membership is discovery -> election -> roles; accounts,
 * desktop, files and media serve the person at this machine; config, errors and service hold
 * the rest up.
 */
export { startDaemon, type RunningDaemon } from './daemon.js'
export { resolveConfig, type DaemonConfig, type StartFlags } from './config/index.js'
export { SochatError } from './errors/index.js'
