export { Coordinator, FAILOVER_WINDOW_MS, NOT_RELAY_GATE } from './coordinator.js'
export type { Identity, CoordinatorDeps } from './deps.js'
export { follow } from './client-link.js'
