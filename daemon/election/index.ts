export { compareCandidates, compareRelays, decide, type Decision, type ElectionInput } from './rank.js'
