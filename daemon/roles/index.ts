export { Coordinator, DISCOVERY_WINDOW_MS, FAILOVER_WINDOW_MS, type Identity, type CoordinatorDeps } from './coordinator.js'
export { follow } from './client-link.js'
