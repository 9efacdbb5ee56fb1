/**
 * Files: the bytes of shared files by SHA-256 (blobs.ts), resumable uploads from this
 * machine's page (uploads.ts), what a finished upload becomes in a message (describe.ts:
 * pictures decoded and cleaned by daemon/media), blobs between machines over the peer port
 * (transfer.ts), which blobs a message's files stand for (refs.ts), and which machine a file
 * is fetched from or sent to (sharing.ts: the relay first; a message's files reach the relay
 * before it does; small ones are copied everywhere at once), and the files of encrypted rooms
 * sealed into blobs of their own and opened as they are read (sealed.ts).
 *
 * Must not: decide who may read a file (the room does, in daemon/http) or hold a whole file
 * in memory (pictures excepted, bounded by their size).
 */
export { BlobStore, type Stored } from './blobs.js'
export { Uploads, type UploadMeta, type UploadState } from './uploads.js'
export { describeUpload } from './describe.js'
export { BlobTransfer, type BlobGate, type BlobSource, type PushFrom, type PushVerdict } from './transfer.js'
export { blobsOf, eagerBlobsOf, fileBlobs } from './refs.js'
export { BlobSweeper, sweepable, SWEEP_GRACE_MS, type References } from './sweep.js'
export { dropPlaintext, openBlob, sealBlob, sealedBlobsOf, sealFiles } from './sealed.js'
export { openFiles, rankSources, relaySource, type Files, type NetworkView } from './sharing.js'
