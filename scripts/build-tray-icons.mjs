/**
 * Draws every tray icon once, at build time, into dist/tray/icons/ (tray/icons.ts says why:
 * the tray then never loads sharp). Run by build.mjs after tsc, from the compiled module, so
 * the icons are exactly what tray/icons.ts would draw.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const folder = join(root, 'dist', 'tray', 'icons')
const { drawIcon, everyLook, iconFileName } = await import(pathToFileURL(join(root, 'dist', 'tray', 'icons.js')).href)

await rm(folder, { recursive: true, force: true })
await mkdir(folder, { recursive: true })
const looks = everyLook()
// A few at a time: sharp draws on libuv's pool (4 threads), more at once only queue.
for (let i = 0; i < looks.length; i += 8) {
  await Promise.all(looks.slice(i, i + 8).map(async (look) => writeFile(join(folder, iconFileName(look)), await drawIcon(look))))
}
console.log(`tray: ${looks.length} icons drawn in dist/tray/icons/`)
