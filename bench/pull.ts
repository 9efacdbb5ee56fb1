/**
 * Run inside a host's namespace: `GET http://HOST:PORT/peer/v1/blobs/SHA` and throw the bytes
 * away, timing it. The "plain copy over the same link" the files scenario compares with.
 */
import { request } from 'node:http'

const [host, port, sha] = process.argv.slice(2) as [string, string, string]
const started = performance.now()
request({ host, port: Number(port), path: `/peer/v1/blobs/${sha}` }, (res) => {
  let bytes = 0
  res.on('data', (c: Buffer) => {
    bytes += c.length
  })
  res.on('end', () => console.log(JSON.stringify({ status: res.statusCode, bytes, ms: performance.now() - started })))
})
  .on('error', (err) => {
    console.error(err.message)
    process.exit(1)
  })
  .end()
