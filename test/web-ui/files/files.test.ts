/**
 * The page's file helpers in Node: sizes in words, the relay's limit said before any upload,
 * which FileRef shows how (and that a malformed one never reaches an address), and the
 * upload state machine over a fake transport: pieces from the daemon's offset, a dropped
 * connection resumed from what the daemon really has, retries that give up, refusals that
 * are final, and Cancel abandoning the upload on the daemon.
 */
import t from 'tap'
import type { FileRef } from '../../../shared/files.js'
import { DEFAULT_MAX_FILE_BYTES, MAX_FILES_PER_MESSAGE as SHARED_MAX_FILES } from '../../../shared/index.js'
import { ApiError } from '../../../web-ui/src/app/api.js'
import {
  displaySize,
  fileKind,
  fileUrl,
  humanSize,
  isFileRef,
  MAX_FILES_PER_MESSAGE,
  mibText,
  pastedName,
  showFiles,
  sizeProblem,
  tooManyText,
} from '../../../web-ui/src/files/file-info-model.js'
import {
  MAX_RETRIES,
  percent,
  retryDelay,
  stateText,
  Upload,
  type UploadState,
  type UploadTransport,
} from '../../../web-ui/src/files/upload-model.js'

const sha = (c: string) => c.repeat(64)
const plain: FileRef = { sha256: sha('a'), name: 'Q3 report.pdf', size: 2_400_000, mime: 'application/pdf' }
const picture: FileRef = {
  sha256: sha('b'),
  name: 'cat.png',
  size: 50_000,
  mime: 'image/png',
  picture: {
    width: 1200,
    height: 800,
    thumbnail: sha('c'),
    thumbnailWidth: 320,
    thumbnailHeight: 213,
    display: sha('d'),
    mime: 'image/png',
  },
}

t.test('sizes in words', async (t) => {
  t.same([0, 1, 900, 1024, 1536, 10 * 1024, 1024 * 1024, 2.5 * 1024 * 1024, 100 * 1024 * 1024, 3 * 1024 ** 3].map(humanSize), [
    '0 bytes',
    '1 byte',
    '900 bytes',
    '1 KB',
    '1.5 KB',
    '10 KB',
    '1 MB',
    '2.5 MB',
    '100 MB',
    '3 GB',
  ])
  t.equal(mibText(1024 * 1024), '1 MiB')
  t.equal(mibText(DEFAULT_MAX_FILE_BYTES), '100 MiB')
  t.equal(mibText(2.5 * 1024 * 1024), '2.5 MiB')
})

t.test('the relay’s limit is checked before uploading, and said with the limit', async (t) => {
  const limit = 1024 * 1024
  t.equal(sizeProblem('small.bin', limit, limit), null, 'exactly the limit is fine')
  t.equal(sizeProblem('huge.iso', 10 * limit, null), null, 'an unknown limit is left to the daemon')
  const said = sizeProblem('huge.iso', 2 * limit, limit)
  t.match(said, /“huge\.iso” is 2 MiB; the relay takes files up to 1 MiB/)
  t.equal(MAX_FILES_PER_MESSAGE, SHARED_MAX_FILES, 'the page’s ten files per message are the daemon’s')
  t.match(tooManyText(1), /at most 10 files; 1 file was not added/)
  t.match(tooManyText(3), /3 files were not added/)
})

t.test('which FileRef shows how', async (t) => {
  t.same(
    showFiles([picture, plain], true),
    [
      { kind: 'picture', file: picture },
      { kind: 'card', file: plain, download: true },
    ],
    'a picture inline, a file as a card',
  )
  t.same(
    showFiles([picture], false),
    [{ kind: 'card', file: picture, download: false }],
    'waiting in the outbox: a card without a link (nothing to serve yet)',
  )
  t.same(showFiles([picture, plain], true, true), [], 'a deleted message shows no files')
  t.same(showFiles(undefined, true), [], 'a message without files')
  const bad = [
    { ...plain, sha256: '../../etc/passwd' },
    { ...plain, name: '' },
    { ...plain, size: -1 },
    { ...picture, picture: { ...picture.picture!, thumbnail: 'x' } },
    { ...picture, picture: { ...picture.picture!, thumbnailWidth: 0 } },
    { ...picture, picture: { ...picture.picture!, mime: 'image/svg+xml' } },
    null,
    'file',
  ]
  for (const b of bad) t.notOk(isFileRef(b), `refused: ${JSON.stringify(b)?.slice(0, 80)}`)
  t.same(
    showFiles([...bad, plain], true).map((s) => s.file.name),
    ['Q3 report.pdf'],
    'malformed ones are left out, good ones kept',
  )
  t.equal(fileUrl('general', 'm1', sha('a'), 'original'), `/api/v1/rooms/general/messages/m1/files/${sha('a')}`)
  t.equal(fileUrl('r-x y', 'm/1', sha('a'), 'thumbnail'), `/api/v1/rooms/r-x%20y/messages/m%2F1/files/${sha('a')}?size=thumbnail`)
  t.same(displaySize({ width: 4000, height: 3000 }), { width: 1600, height: 1200 }, 'the display size fits in 1600 px')
  t.same(displaySize({ width: 300, height: 200 }), { width: 300, height: 200 }, 'and is never enlarged')
})

t.test('a file’s kind, by name then by type', async (t) => {
  t.equal(fileKind('Q3 report.PDF', ''), 'pdf')
  t.equal(fileKind('backup.tar.gz', 'application/gzip'), 'archive')
  t.equal(fileKind('song', 'audio/mpeg'), 'audio')
  t.equal(fileKind('notes.txt', 'application/octet-stream'), 'text')
  t.equal(fileKind('blob', 'application/octet-stream'), 'other')
  t.equal(
    pastedName('image.png', 'image/png', new Date(2026, 0, 2, 3, 4, 5)),
    'Pasted image 2026-01-02 03.04.05.png',
    'a pasted screenshot gets a name',
  )
  t.equal(pastedName('holiday.jpg', 'image/jpeg', new Date()), 'holiday.jpg', 'a real name is kept')
})

/** A daemon in memory: it keeps what arrives, and can drop a connection part-way through. */
class FakeDaemon implements UploadTransport<Uint8Array> {
  received: Uint8Array = new Uint8Array(0)
  calls: string[] = []
  /** Per PATCH: how many bytes get through before the connection drops (undefined: all). */
  cuts: (number | undefined)[] = []
  offsetFails = 0
  finishError: ApiError | null = null
  startError: ApiError | null = null
  cancelled = false
  constructor(readonly size: number) {}
  async start(file: { name: string; size: number }) {
    this.calls.push(`start ${file.name} ${file.size}`)
    if (this.startError) throw this.startError
    return { id: 'u1' }
  }
  async send(_id: string, offset: number, piece: Uint8Array, onProgress: (n: number) => void) {
    this.calls.push(`send ${offset}+${piece.length}`)
    if (offset !== this.received.length) throw new ApiError('upload_offset_mismatch', `send from ${this.received.length}`, 409)
    const cut = this.cuts.shift()
    const kept = piece.subarray(0, cut ?? piece.length)
    this.received = concat(this.received, kept)
    onProgress(kept.length)
    if (cut !== undefined) throw new ApiError('network', 'dropped', 0)
    return this.received.length
  }
  async offset() {
    this.calls.push('offset')
    if (this.offsetFails-- > 0) throw new ApiError('network', 'still down', 0)
    return this.received.length
  }
  async finish(): Promise<FileRef> {
    this.calls.push('finish')
    if (this.finishError) throw this.finishError
    return { ...plain, size: this.received.length }
  }
  async cancel() {
    this.calls.push('cancel')
    this.cancelled = true
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}

function source(size: number) {
  const bytes = Uint8Array.from({ length: size }, (_, i) => i % 251)
  return { name: 'data.bin', size, type: 'application/octet-stream', bytes, slice: (s: number, e: number) => bytes.subarray(s, e) }
}

function run(size: number, setup: (d: FakeDaemon) => void = () => undefined) {
  const daemon = new FakeDaemon(size)
  setup(daemon)
  const states: UploadState[] = []
  const sleeps: number[] = []
  const src = source(size)
  const upload = new Upload(src, daemon, (s) => states.push(s), { pieceBytes: 1000, sleep: async (ms) => void sleeps.push(ms) })
  return { daemon, states, sleeps, upload, src }
}

t.test('an upload in pieces, with progress, then finished', async (t) => {
  const { daemon, states, upload, src } = run(2500)
  const file = await upload.done
  t.equal(file?.size, 2500)
  t.same(daemon.received, src.bytes, 'every byte arrived, in order')
  t.same(daemon.calls, ['start data.bin 2500', 'send 0+1000', 'send 1000+1000', 'send 2000+500', 'finish'])
  const sent = states.filter((s) => s.phase === 'uploading').map((s) => (s as { sent: number }).sent)
  t.ok(
    sent.every((n, i) => i === 0 || n >= sent[i - 1]!),
    'progress never goes back',
  )
  t.equal(sent[sent.length - 1], 2500)
  t.same(
    states.slice(-2).map((s) => s.phase),
    ['finishing', 'done'],
  )
  t.equal(stateText({ phase: 'uploading', sent: 1250, size: 2500 }), 'Uploading, 50%')
  t.equal(percent(0, 0), 100, 'an empty file is complete')
})

t.test('a dropped connection resumes from the daemon’s offset', async (t) => {
  const { daemon, states, sleeps, upload, src } = run(2500, (d) => {
    d.cuts = [undefined, 300]
    d.offsetFails = 1
  })
  t.ok(await upload.done, 'finished in the end')
  t.same(daemon.received, src.bytes, 'no byte lost or sent twice')
  t.same(
    daemon.calls,
    [
      'start data.bin 2500',
      'send 0+1000',
      'send 1000+1000',
      'offset',
      'send 1000+1000',
      'offset',
      'send 1300+1000',
      'send 2300+200',
      'finish',
    ],
    'after the cut: ask (still down), resend from the old offset (refused: the daemon has more), ask again, go on from 1300',
  )
  t.same(sleeps, [retryDelay(1), retryDelay(2)], 'waiting longer the second time')
  t.ok(
    states.some((s) => s.phase === 'retrying'),
    'the page says it is resuming',
  )
  t.match(stateText({ phase: 'retrying', sent: 1, size: 2, attempt: 2 }), /resuming \(try 2 of 5\)/)
})

t.test('retries give up; refusals are final and said in the daemon’s words', async (t) => {
  const down = run(2500, (d) => {
    d.cuts = Array(20).fill(0)
  })
  t.equal(await down.upload.done, null)
  t.equal(down.sleeps.length, MAX_RETRIES, `${MAX_RETRIES} tries, then it stops`)
  t.match(down.upload.state, { phase: 'failed' })
  t.notOk(down.daemon.calls.includes('finish'), 'never finished')

  const corrupt = run(1500, (d) => {
    d.finishError = new ApiError('corrupt_image', 'The picture is damaged or cut short, so it cannot be shown.', 422)
  })
  t.equal(await corrupt.upload.done, null)
  t.same(corrupt.upload.state, { phase: 'failed', reason: 'The picture is damaged or cut short, so it cannot be shown.' })
  t.equal(corrupt.sleeps.length, 0, 'not retried')
  t.match(stateText(corrupt.upload.state), /^Not uploaded: The picture is damaged/)

  const full = run(10, (d) => {
    d.startError = new ApiError('disk_full', 'This machine’s disk has 12 MiB free.', 507)
  })
  t.equal(await full.upload.done, null)
  t.same(full.daemon.calls, ['start data.bin 10'], 'no byte sent')
  t.match(full.upload.state, { phase: 'failed', reason: /disk has 12 MiB free/ })
})

t.test('Cancel abandons the upload on the daemon', async (t) => {
  const r = run(5000)
  await Promise.resolve()
  await Promise.resolve()
  r.upload.cancel()
  t.equal(await r.upload.done, null)
  t.equal(r.upload.state.phase, 'cancelled')
  t.ok(r.daemon.cancelled, 'DELETE was sent')
  await new Promise((resolve) => setTimeout(resolve, 10))
  t.equal(r.daemon.calls.filter((c) => c === 'cancel').length, 1, 'once')
  t.notOk(r.daemon.calls.includes('finish'), 'never finished')
  t.equal(r.states[r.states.length - 1]?.phase, 'cancelled', 'nothing is reported after Cancel')
})
