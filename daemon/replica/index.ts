export { NotRelayError, Replica, type ReplicaEvents } from './replica.js'
export {
  Follower,
  judgeWelcome,
  withFirstEntry,
  type FollowerIdentity,
  type FollowerEvents,
  type SentHello,
  type WelcomeVerdict,
} from './follower.js'
