/**
 * Rooms: the rules an entry must satisfy against the current state (who may post, read,
 * edit, join, name what), checked by the relay before ordering and by the local API before
 * submitting, and how a direct conversation's id follows from its members.
 *
 * Must not: write to the store or talk to the network; it only answers yes or no, in words.
 */
export { check, existingRoom, mayPost, mayRead, roomLabel, timely, type Verdict } from './rules.js'
export { directRoomId } from './direct.js'
export { contentFits, filesFit, isEncrypted, keyIsCurrent } from './keys.js'
