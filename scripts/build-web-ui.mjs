/**
 * Bundles the chat page into dist/web-ui/: app.js (+ map), index.html, style.css.
 * esbuild only strips types; `tsc -p web-ui/tsconfig.json` is what typechecks the page.
 * The page may use only its own code and shared/: a dependency from node_modules in the
 * bundle means a Node import or zod leaked in, so the build fails rather than ship it.
 */
import { build } from 'esbuild'
import { copyFile, mkdir, rm } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { join, relative } from 'node:path'

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

const foreign = Object.keys(result.metafile.inputs).filter((p) => p.includes('node_modules') || p.startsWith('node:'))
if (foreign.length > 0) {
  console.error(`web-ui bundle must not include dependencies, found:\n  ${foreign.join('\n  ')}`)
  process.exit(1)
}

await copyFile(join(src, 'index.html'), join(out, 'index.html'))
await copyFile(join(src, 'style.css'), join(out, 'style.css'))

const bytes = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith('app.js'))?.[1].bytes ?? 0
console.log(`web-ui: ${relative(root, out)}/ (app.js ${(bytes / 1024).toFixed(1)} KB)`)
