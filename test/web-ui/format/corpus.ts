/** The XSS corpus (test/fixtures/xss/vectors.json), for the Node and the browser tests. */
import { readFileSync } from 'node:fs'

export const corpus = JSON.parse(readFileSync(new URL('../../fixtures/xss/vectors.json', import.meta.url), 'utf8')) as {
  about: string
  owasp: string[]
  markdown: string[]
}
