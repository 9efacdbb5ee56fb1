export { NotRelayError, Replica, type ReplicaEvents } from './replica.js'
export { Follower, type FollowerIdentity, type FollowerEvents } from './follower.js'
