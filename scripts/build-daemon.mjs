/**
 * Bundles the daemon's command (daemon/cli.ts) into dist/daemon/cli.js, over the file tsc wrote
 * there, with its pure-JavaScript dependencies. Run from tsc's output, a start loads about 780
 * files (560 of them from node_modules: zod, ajv, fastify, semver…) and resolves each import on
 * disk; the module loader, not the daemon, was half of a start's CPU time (bench/README.md,
 * issue 18, round four). One bundle is read and compiled at once.
 *
 * Kept lazy: what the sources load with `import()` stays a chunk of its own under
 * dist/daemon/chunks/ (the daemon behind `sochat start`, libsodium, zxcvbn's word lists), so
 * `sochat stop` and `--help` do not compile the daemon, and nothing is loaded earlier than from
 * the sources. Left outside (EXTERNAL): native addons, found beside their .node files, and
 * node-notifier, which runs helper programs shipped in its own folder.
 *
 * The rest of tsc's output stays in dist/: the tray and the test fixtures import its modules.
 */
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = fileURLToPath(new URL('..', import.meta.url))
const out = join(root, 'dist', 'daemon')
const EXTERNAL = [
  'classic-level',
  'better-sqlite3',
  'sharp',
  'node-notifier',
  '@fastify/ajv-compiler',
  '@fastify/fast-json-stringify-compiler',
]

// Chunks are named by their content hash: those of an earlier build would pile up.
await rm(join(out, 'chunks'), { recursive: true, force: true })

const result = await build({
  absWorkingDir: root,
  entryPoints: { cli: join(root, 'daemon', 'cli.ts') },
  outdir: out,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  // The CommonJS packages in the bundle call require(); an ES module has none of its own.
  banner: {
    js: "import { createRequire as sochatCreateRequire } from 'node:module'; const require = sochatCreateRequire(import.meta.url);",
  },
  // Comments and blanks out, names kept: a stack trace still says which function failed (the
  // .map files give the line, with `node --enable-source-maps`). Licences ship with each package.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  sourcemap: true,
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
})

// V8 keeps a module's source for as long as its functions may compile: ASCII only, one byte a
// character. A single other character (esbuild escapes them in strings, not in a regular
// expression) and the whole file is held at two bytes a character, about 1 MiB more.
const files = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'))
const wide = []
for (const file of files) {
  const line = (await readFile(join(root, file), 'latin1')).split('\n').findIndex((l) => /[\u0080-\u00ff]/.test(l))
  if (line >= 0) wide.push(`${file}:${line + 1}`)
}
if (wide.length > 0) {
  console.error(`daemon bundle: characters outside ASCII (write them as \\u escapes in the source):\n  ${wide.join('\n  ')}`)
  process.exit(1)
}

const kib = files.reduce((sum, f) => sum + result.metafile.outputs[f].bytes / 1024, 0)
const modules = Object.keys(result.metafile.inputs).length
console.log(`daemon: dist/daemon/cli.js and ${files.length - 1} chunks (${modules} modules, ${kib.toFixed(0)} KB)`)
