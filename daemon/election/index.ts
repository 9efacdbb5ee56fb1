export { compareCandidates, compareRelays, decide, type Decision, type ElectionInput, type Ranked } from './rank.js'
export { countedPeers, isTerm, nextTerm, raisedTerm, type TermRaise } from './term.js'
