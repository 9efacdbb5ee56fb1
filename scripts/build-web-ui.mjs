/**
 * Bundles the chat page into dist/web-ui/: app.js (+ map), index.html, style.css, and the
 * emoji data the page fetches when first needed (emoji.json, see emoji-data.mjs).
 * esbuild only strips types; `tsc -p web-ui/tsconfig.json` is what typechecks the page.
 * The page may use its own code, shared/, and the well-kept browser libraries named in
 * PAGE_LIBRARIES (each chosen on purpose, its gzip cost reported below). Anything else from
 * node_modules in the bundle means a Node import or zod leaked in, so the build fails rather
 * than ship it.
 */
import { build } from 'esbuild'
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { gzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import { join, relative } from 'node:path'
import { buildEmojiData } from './emoji-data.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const src = join(root, 'web-ui')
const out = join(root, 'dist', 'web-ui')

// tsc also emits a stray dist/web-ui/src when a test imports page helpers: start clean.
await rm(out, { recursive: true, force: true })
await mkdir(out, { recursive: true })

const result = await build({
  entryPoints: [join(src, 'src', 'app', 'main.ts')],
  outfile: join(out, 'app.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2020',
  minify: true,
  sourcemap: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
})

/** Packages the page may bundle (with their own dependencies named here too). */
const PAGE_LIBRARIES = new Set(['markdown-it', 'entities', 'linkify-it', 'mdurl', 'punycode.js', 'uc.micro'])

/** The package a bundled input comes from: `node_modules/@scope/name/...` or `node_modules/name/...`. */
function packageOf(input) {
  const parts = input.split('node_modules/').at(-1).split('/')
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]
}

const foreign = Object.keys(result.metafile.inputs).filter(
  (p) => p.startsWith('node:') || (p.includes('node_modules') && !PAGE_LIBRARIES.has(packageOf(p))),
)
if (foreign.length > 0) {
  console.error(`web-ui bundle may include only PAGE_LIBRARIES from node_modules, found:\n  ${foreign.join('\n  ')}`)
  process.exit(1)
}

await copyFile(join(src, 'index.html'), join(out, 'index.html'))
await copyFile(join(src, 'style.css'), join(out, 'style.css'))

const appJs = await readFile(join(out, 'app.js'))
const gzipped = gzipSync(appJs, { level: 9 }).length
const emojiJson = Buffer.from(JSON.stringify(buildEmojiData()))
await writeFile(join(out, 'emoji.json'), emojiJson)
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`
const gz = (bytes) => gzipSync(bytes, { level: 9 }).length
console.log(
  `web-ui: ${relative(root, out)}/ (app.js ${kb(appJs.length)}, ${kb(gzipped)} gzip; emoji.json ${kb(emojiJson.length)}, ${kb(gz(emojiJson))} gzip)`,
)
