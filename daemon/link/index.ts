export { PeerConnection, HEARTBEAT_MS, HEARTBEAT_MISSES } from './connection.js'
export { PeerServer, listenWithFallback } from './server.js'
export { dial } from './dial.js'
