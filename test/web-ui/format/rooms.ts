/** Rooms full of messages for the formatting browser tests, made through the REST API. */
import type { Host } from '../../multihost/harness.js'
import { bearer } from '../../multihost/lan-helpers.js'

export const plainMessage = (i: number) => `plain ${i}: see you at the meeting tomorrow, @fmt has the notes [plain ${i}]`

/** `[formatted n]` in each, so a test knows which room's rows it sees. */
export const formattedMessage = (i: number) =>
  [
    `**Build ${i}** is _green_, ~~red~~ no more: run \`npm test\` [formatted ${i}]`,
    '> quoted from the log',
    '- one\n- two',
    '```\nconst x = 1\nconsole.log(x)\n```',
    `details at www.example.org/${i} and @fmt`,
  ].join('\n')

/** A public room named `name`, with `texts` posted into it in order; its id. */
export async function makeRoom(host: Host, token: string, name: string, texts: string[]): Promise<string> {
  const made = await host.api<{ room: { id: string } }>('POST', '/api/v1/rooms', { name, kind: 'public' }, bearer(token))
  if (made.status !== 201 || !made.body?.room) throw new Error(`room ${name}: ${made.status} ${JSON.stringify(made.body)}`)
  const id = made.body.room.id
  for (const text of texts) await postTo(host, token, id, text)
  return id
}

export async function postTo(host: Host, token: string, room: string, text: string): Promise<void> {
  const res = await host.api('POST', `/api/v1/rooms/${encodeURIComponent(room)}/messages`, { text }, bearer(token))
  if (res.status !== 201) throw new Error(`post to ${room}: ${res.status} ${JSON.stringify(res.body)}`)
}
