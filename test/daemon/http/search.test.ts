/**
 * GET /api/v1/search on a relay and a client on loopback: a private (end-to-end encrypted)
 * room's words are found by its members on either machine and by nobody else, and never
 * written to disk; a public room's words are found by anyone; a deleted message is not found,
 * an edited one by its new words only; bad queries are 400 with the parser's code, never 500;
 * no session, no search.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { call, startPair, waitFor } from './local-daemon.js'
import { diskText } from '../../lib/disk.js'

t.test('search through the API, on two machines', async (t) => {
  // Short: a unix socket's path is at most 107 bytes, and tap's fixture paths are long.
  const root = mkdtempSync(join(tmpdir(), 'sochat-search-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const { relay, client, token } = await startPair(t, root, ['alice', 'bob', 'carol'])
  const as = async (ui: string, username: string) => {
    const tk = await token(ui, username)
    return (path: string, c: { method?: string; json?: unknown } = {}) => call(ui, path, { token: tk, ...c })
  }
  const alice = await as(relay.ui, 'alice')
  const bobThere = await as(client.ui, 'bob')
  const carol = await as(relay.ui, 'carol')
  const carolThere = await as(client.ui, 'carol')
  const found = async (api: typeof alice, q: string) => {
    const r = await api(`/api/v1/search?q=${encodeURIComponent(q)}`)
    if (r.status !== 200) throw new Error(`${q}: ${r.status} ${JSON.stringify(r.body)}`)
    return (r.body.results as { message: { text: string } }[]).map((x) => x.message.text)
  }

  const made = await alice('/api/v1/rooms', { json: { name: 'launch', kind: 'private', invite: ['bob'] } })
  t.match(made.body.room, { encrypted: true }, 'a private room, encrypted')
  const room = made.body.room.id as string
  t.equal((await alice(`/api/v1/rooms/${room}/messages`, { json: { text: 'pineapple zeppelin at dawn' } })).status, 201)
  const pub = await alice('/api/v1/rooms/general/messages', { json: { text: 'walrus meeting in the lobby' } })
  t.equal(pub.status, 201)

  t.same(await found(alice, 'pineapple'), ['pineapple zeppelin at dawn'], 'a member finds a sealed word on the machine it was written on')
  const onClient = await waitFor('the sealed word found by bob on the other machine', async () => {
    const r = await found(bobThere, 'zeppel')
    return r.length > 0 && r
  })
  t.same(onClient, ['pineapple zeppelin at dawn'], 'and a member on another machine, by a prefix')
  t.same(await found(carol, 'pineapple'), [], 'not a non-member')
  t.same(await found(carolThere, 'pineapple'), [], 'on any machine')
  t.same(await found(carol, `pineapple in:${room}`), [], 'not by naming the room')
  t.equal((await carol(`/api/v1/search?q=pineapple&room=${room}`)).status, 403, 'asking for the room by id is refused')
  await waitFor('the public word on the client', async () => (await found(carolThere, 'walrus')).length > 0)
  t.same(await found(carolThere, 'walrus'), ['walrus meeting in the lobby'], 'a public word is found by anyone')

  const hit = (await alice('/api/v1/search?q=pineapple')).body
  t.match(hit, {
    next: null,
    results: [
      { message: { room, author: 'alice', text: 'pineapple zeppelin at dawn', encrypted: true }, highlights: [{ start: 0, end: 9 }] },
    ],
  })
  t.notOk('sealed' in hit.results[0].message, 'no sealed form handed out')
  t.match(hit.results[0].message, { id: String, seq: Number, ts: Number })

  for (const dir of [join(root, 'relay'), join(root, 'client')]) {
    const disk = diskText(dir)
    t.notOk(disk.includes('pineapple') || disk.includes('zeppelin'), `no sealed word on the disk of ${dir}`)
    t.ok(disk.includes('walrus'), 'while a public word is there (the scan would see one)')
  }

  const edit = await alice(`/api/v1/rooms/general/messages/${pub.body.message.id}`, {
    method: 'PUT',
    json: { text: 'narwhal meeting instead' },
  })
  t.equal(edit.status, 200, 'alice edits the public message')
  t.same(await found(alice, 'walrus'), [], 'the old words are not found')
  t.same(await found(alice, 'narwhal'), ['narwhal meeting instead'], 'the new words are')
  const sealedEdit = await alice(`/api/v1/rooms/${room}/messages`)
  const sealedId = sealedEdit.body.messages[0].id as string
  t.equal((await alice(`/api/v1/rooms/${room}/messages/${sealedId}`, { method: 'PUT', json: { text: 'mango blimp at dusk' } })).status, 200)
  t.same(await found(alice, 'pineapple'), [], 'an edited sealed message: not by its old words')
  t.same(await found(alice, 'mango'), ['mango blimp at dusk'], 'by its new ones')
  t.equal((await alice(`/api/v1/rooms/${room}/messages/${sealedId}`, { method: 'DELETE' })).status, 200)
  t.same(await found(alice, 'mango'), [], 'a deleted sealed message is not found')
  t.equal((await alice(`/api/v1/rooms/general/messages/${pub.body.message.id}`, { method: 'DELETE' })).status, 200)
  t.same(await found(alice, 'narwhal'), [], 'a deleted message is not found')

  const bad = async (q: string) => (await alice(`/api/v1/search?q=${encodeURIComponent(q)}`)).body?.error?.code
  t.equal(await bad(''), 'empty_query')
  t.equal(await bad('x'.repeat(501)), 'query_too_long')
  t.equal(await bad('colour:red'), 'unknown_filter')
  t.equal(await bad('before:2026-02-30'), 'bad_date')
  t.equal(await bad('has:video'), 'bad_filter')
  t.equal((await alice('/api/v1/search?q=x&before=zzz')).body.error.code, 'bad_cursor')
  t.equal((await alice('/api/v1/search?q=x&limit=1000')).status, 400, 'a limit over 100')
  t.equal((await alice('/api/v1/search?q=x&sort=worst')).status, 400)
  t.equal((await alice('/api/v1/search?q=%22%22%22%20-%20*%20NEAR(a%20b)%20OR')).status, 200, 'FTS5 syntax is only words')
  t.equal((await call(relay.ui, '/api/v1/search?q=walrus')).status, 401, 'no session, no search')
})
