/**
 * libsodium, loaded at the first operation that needs it rather than at start. Importing
 * libsodium-wrappers compiles and instantiates its WebAssembly (about 9 MiB resident and tens
 * of milliseconds), and a daemon needs it only for an encrypted room, a sealed network key or a
 * newcomer's published keys: a machine that never meets one never pays for it.
 */
export type Sodium = typeof import('libsodium-wrappers')['default']

let loading: Promise<Sodium> | null = null

/** libsodium-wrappers, imported once and ready (its WebAssembly instantiated). */
export function loadSodium(): Promise<Sodium> {
  loading ??= import('libsodium-wrappers').then(async ({ default: sodium }) => {
    await sodium.ready
    return sodium
  })
  return loading
}
