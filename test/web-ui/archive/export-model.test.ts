/**
 * The page's export download without the page: progress counted in lines against what the
 * daemon announced, the whole answer gathered into the Blob byte for byte, a cut-short answer
 * refused rather than saved, a safe file name or the fallback. The dialog itself is covered by
 * the browser test when it runs.
 */
import t from 'tap'
import {
  type ExportProgress,
  fileNameFrom,
  fraction,
  progressText,
  readExport,
  savedText,
} from '../../../web-ui/src/archive/export-model.js'

function answer(pieces: string[], headers: Record<string, string>): Response {
  const bytes = pieces.map((p) => new TextEncoder().encode(p))
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (const b of bytes) c.enqueue(b)
      c.close()
    },
  })
  return new Response(body, { headers: { 'content-type': 'application/json; charset=utf-8', ...headers } })
}

t.test('reading an export with progress', async (t) => {
  const pieces = ['{"format":"sochat-export","messages":[\n', '{"id":"a"}\n,{"id":', '"b"}\n', ']}\n']
  const seen: ExportProgress[] = []
  const blob = await readExport(answer(pieces, { 'x-export-lines': '4', 'x-export-messages': '2' }), (p) => seen.push({ ...p }))
  t.equal(await blob.text(), pieces.join(''), 'the file is what came, byte for byte')
  t.same(
    seen.map((p) => p.lines),
    [1, 2, 3, 4],
    'lines counted as they arrive',
  )
  t.same(
    seen.map((p) => fraction(p)),
    [0.25, 0.5, 0.75, 1],
    'progress against the announced lines',
  )
  t.equal(progressText(seen[1]!), '50% of 2 messages (1 KiB)')
  t.equal(savedText(3 * 2 ** 20, 1), 'Saved: 1 message, 3.0 MiB.')
  t.equal(fraction({ lines: 3, totalLines: 0, bytes: 10, messages: 0 }), null, 'unknown total: an indeterminate bar')
  t.equal(progressText({ lines: 3, totalLines: 0, bytes: 10, messages: 0 }), '1 KiB received')
})

t.test('a cut-short export is not saved', async (t) => {
  await t.rejects(
    readExport(answer(['{"messages":[\n'], { 'x-export-lines': '5' }), () => undefined),
    /cut short/,
  )
})

t.test('file names', async (t) => {
  t.equal(fileNameFrom('attachment; filename="sochat-general-20261130-1512.json"', 'x.json'), 'sochat-general-20261130-1512.json')
  t.equal(fileNameFrom('attachment; filename="../evil.sh"', 'x.json'), 'x.json', 'not a plain name')
  t.equal(fileNameFrom('attachment; filename=".bashrc"', 'x.json'), 'x.json', 'unquoted / dot file')
  t.equal(fileNameFrom(null, 'x.html'), 'x.html')
})
