export { PeerConnection } from './connection.js'
export { PeerServer, listenWithFallback } from './server.js'
export { dial } from './dial.js'
export { remoteIp } from './remote.js'
