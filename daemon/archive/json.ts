/**
 * The JSON export (docs/API.md, "Export"): one document, valid however far it is read only
 * once it is complete, written as it goes: the header and the opening of the `messages` array
 * on the first line, then one message per line (a comma before every one but the first), then
 * the closing. One message per line also lets the page count lines for its progress bar.
 */
import { roomMessages } from './pages.js'
import { archiveMessage } from './record.js'
import type { ArchivePlan, ArchiveSource } from './source.js'

export const JSON_FORMAT = 'sochat-export'
export const JSON_VERSION = 1

export async function* jsonExport(source: ArchiveSource, plan: ArchivePlan): AsyncGenerator<string> {
  const header = {
    format: JSON_FORMAT,
    version: JSON_VERSION,
    network: plan.network,
    exportedBy: plan.exportedBy,
    exportedAt: plan.exportedAt,
    head: plan.head,
    messageCount: plan.total,
    rooms: plan.rooms,
  }
  const opening = JSON.stringify(header)
  // The header object stays open: "messages" is its last member.
  yield `${opening.slice(0, -1)},"messages":[\n`
  let first = true
  for (const room of plan.rooms) {
    for await (const m of roomMessages(source.views, room.id, plan.head)) {
      yield `${first ? '' : ','}${JSON.stringify(archiveMessage(await source.open(m)))}\n`
      first = false
    }
  }
  yield ']}\n'
}
