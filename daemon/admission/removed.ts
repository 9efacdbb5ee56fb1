/**
 * The machines removed from the network, as this machine knows them: kept in
 * DATA_DIR/network-removed.json (0600) so a restart does not forget them. A removed machine
 * asking to join again is shown as removed, not as a newcomer, and gets no key by asking.
 */
import { join } from 'node:path'
import * as z from 'zod'
import { readPrivateFile, writePrivateFile } from '../identity/private-file.js'

const FILE = 'network-removed.json'

export const RemovedMachine = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  nodeId: z.string().regex(/^[0-9a-f]{16}$/),
  fingerprint: z.string().max(40),
  name: z.string().max(63),
  /** Who removed it: a username, and on which machine when the news came from another (`alice on 83D1-…`). */
  by: z.string().max(120),
  at: z.number().int().nonnegative(),
})
export type RemovedMachine = z.infer<typeof RemovedMachine>

const CODES = {
  invalid: 'network_key_invalid',
  exposed: 'network_key_invalid',
  what: 'The list of removed machines',
  ifCopied: 'nothing secret is in it; fix the mode and restart.',
} as const

/** At most this many are kept (the oldest go): the list must not grow without bound. */
const KEEP = 1000

export class RemovedList {
  readonly #bySha = new Map<string, RemovedMachine>()

  private constructor(private readonly dataDir: string) {}

  static async load(dataDir: string): Promise<RemovedList> {
    const list = new RemovedList(dataDir)
    const text = await readPrivateFile(join(dataDir, FILE), CODES)
    // A damaged file is not a reason to refuse to start (the key was replaced anyway, which is
    // what keeps them out), nor is one bad entry a reason to forget the others.
    let entries: unknown = []
    try {
      entries = text === null ? [] : JSON.parse(text)
    } catch {
      entries = []
    }
    for (const entry of Array.isArray(entries) ? entries : []) {
      const parsed = RemovedMachine.safeParse(entry)
      if (parsed.success) list.#bySha.set(parsed.data.sha256, parsed.data)
    }
    return list
  }

  has(sha256: string): boolean {
    return this.#bySha.has(sha256)
  }

  byNodeId(nodeId: string): RemovedMachine | undefined {
    return [...this.#bySha.values()].find((m) => m.nodeId === nodeId)
  }

  all(): RemovedMachine[] {
    return [...this.#bySha.values()]
  }

  async add(machine: RemovedMachine): Promise<void> {
    this.#bySha.delete(machine.sha256) // removed again: it goes to the end, kept longest
    this.#bySha.set(machine.sha256, { ...machine, by: machine.by.slice(0, 120), name: machine.name.slice(0, 63) })
    while (this.#bySha.size > KEEP) this.#bySha.delete(this.#bySha.keys().next().value as string)
    await writePrivateFile(join(this.dataDir, FILE), `${JSON.stringify(this.all(), null, 1)}\n`)
  }
}
