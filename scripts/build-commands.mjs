/**
 * Bundles the two commands, each over the file tsc wrote for it, with their pure-JavaScript
 * dependencies: the daemon's (daemon/cli.ts → dist/daemon/cli.js) and the tray's (tray/cli.ts →
 * dist/tray/cli.js).
 *
 * Why: run from tsc's output, a daemon start loads about 780 files (560 of them from
 * node_modules: zod, ajv, fastify, semver…) and resolves each import on disk; the module loader,
 * not the daemon, was half of a start's CPU time (bench/README.md, issue 18, round four). One
 * bundle is read and compiled at once. The tray agent, from tsc's output, held all of shared/'s
 * schemas and the whole of zod for the one message it reads: bundled (unused code shaken out) it
 * holds 8 MiB less at idle (issue 18, round five), on every desktop all day.
 *
 * The daemon's lazy parts stay lazy: what its sources load with `import()` stays a chunk of its
 * own under dist/daemon/chunks/ (the daemon behind `sochat start`, libsodium, zxcvbn's word
 * lists), so `sochat stop` and `--help` do not compile the daemon. The tray is one file with no
 * chunks: it finds its drawn icons beside itself (`./icons/` from its own URL, tray/icons.ts).
 * Left outside (EXTERNAL): native addons, found beside their .node files; node-notifier and
 * systray2, which run helper programs shipped in their own folders.
 *
 * The rest of tsc's output stays in dist/: the test fixtures import its modules.
 */
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = fileURLToPath(new URL('..', import.meta.url))
const EXTERNAL = [
  'classic-level',
  'better-sqlite3',
  'sharp',
  'node-notifier',
  'systray2',
  '@fastify/ajv-compiler',
  '@fastify/fast-json-stringify-compiler',
]

/** One command's bundle; returns what it wrote, for the summary line. */
async function bundle({ name, entry, outdir, splitting }) {
  // Chunks are named by their content hash: those of an earlier build would pile up.
  if (splitting) await rm(join(outdir, 'chunks'), { recursive: true, force: true })
  const result = await build({
    absWorkingDir: root,
    entryPoints: { cli: join(root, entry) },
    outdir,
    allowOverwrite: true,
    ...(splitting ? { splitting: true, chunkNames: 'chunks/[name]-[hash]' } : {}),
    bundle: true,
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
  const files = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'))
  await refuseWide(name, files)
  const kib = files.reduce((sum, f) => sum + result.metafile.outputs[f].bytes / 1024, 0)
  const modules = Object.keys(result.metafile.inputs).length
  const chunks = files.length > 1 ? ` and ${files.length - 1} chunks` : ''
  console.log(`${name}: ${join(outdir, 'cli.js').slice(root.length)}${chunks} (${modules} modules, ${kib.toFixed(0)} KB)`)
}

/**
 * V8 keeps a module's source for as long as its functions may compile: ASCII only, one byte a
 * character. A single other character (esbuild escapes them in strings, not in a regular
 * expression) and the whole file is held at two bytes a character, about 1 MiB more.
 */
async function refuseWide(name, files) {
  const wide = []
  for (const file of files) {
    const line = (await readFile(join(root, file), 'latin1')).split('\n').findIndex((l) => /[\u0080-\u00ff]/.test(l))
    if (line >= 0) wide.push(`${file}:${line + 1}`)
  }
  if (wide.length > 0) {
    console.error(`${name} bundle: characters outside ASCII (write them as \\u escapes in the source):\n  ${wide.join('\n  ')}`)
    process.exit(1)
  }
}

await bundle({ name: 'daemon', entry: 'daemon/cli.ts', outdir: join(root, 'dist', 'daemon'), splitting: true })
await bundle({ name: 'tray', entry: 'tray/cli.ts', outdir: join(root, 'dist', 'tray'), splitting: false })
