/**
 * Sealing: the cryptography of end-to-end encrypted rooms, and nothing else — room keys made,
 * sealed to each member and opened (room-key.ts), message text (and its files' refs and keys)
 * encrypted and decrypted under them (content.ts), and files' bytes encrypted and decrypted as
 * streams under keys of their own (file-stream.ts). See README.md. libsodium itself is loaded at
 * the first of these that runs (sodium.ts), for the sealed network key and account keys too.
 *
 * Must not: read the store, talk to the network, or keep a key after it returns.
 */
export { decryptContent, encryptContent, type Content, type ContentContext } from './content.js'
export { newRoomKey, openRoomKey, ROOM_KEY_BYTES, roomKeyCommitment, sealRoomKey, type KeyContext } from './room-key.js'
export {
  FILE_CHUNK_BYTES,
  FILE_KEY_BYTES,
  FileTampered,
  newFileKey,
  openedFileSize,
  openFileStream,
  sealedFileSize,
  sealFileStream,
} from './file-stream.js'
export { loadSodium, type Sodium } from './sodium.js'
