/**
 * A batch is written with its keys and values encoded once (encoded.ts): the bytes are those
 * abstract-level would have written, so each sublevel reads back exactly what was put, deletes
 * delete, and an op on a sublevel that is not the store's goes through abstract-level unchanged.
 */
import t from 'tap'
import { join } from 'node:path'
import { Level } from 'level'
import { ENCODED, encodedOps } from '../../../daemon/store/encoded.js'
import { Store } from '../../../daemon/store/index.js'
import type { Op } from '../../../daemon/store/types.js'

t.test('what a batch puts, each sublevel reads back as it was put; what it deletes is gone', async (t) => {
  const store = await Store.open(join(t.testdir(), 'db'))
  t.teardown(() => store.close())
  const value = { text: 'héllo 👋 "quoted" \\ back', n: 3, list: [1, null, { deep: true }] }
  await store.write([
    { type: 'put', sublevel: store.meta, key: 'a', value },
    { type: 'put', sublevel: store.log.ids, key: 'id-1', value: 7 },
    { type: 'put', sublevel: store.log.chains, key: '0000000000000001', value: 'ab'.repeat(32) },
    { type: 'put', sublevel: store.meta, key: 'gone', value: 'soon' },
  ])
  await store.write([{ type: 'del', sublevel: store.meta, key: 'gone' }])
  t.same(await store.meta.get('a'), value, 'an object, unchanged')
  t.equal(await store.log.ids.get('id-1'), 7, 'a number')
  t.equal(await store.log.chains.get('0000000000000001'), 'ab'.repeat(32), 'a string')
  t.equal(await store.meta.get('gone'), undefined, 'deleted')
  const keys: string[] = []
  for await (const key of store.log.ids.keys()) keys.push(key)
  t.same(keys, ['id-1'], 'a sublevel lists only its own keys')
})

t.test('the same bytes as abstract-level writes; a sublevel it does not know is left to abstract-level', async (t) => {
  const db = new Level<string, unknown>(join(t.testdir(), 'db'), { valueEncoding: 'json' })
  t.teardown(() => db.close())
  const sub = db.sublevel<string, unknown>('views', { valueEncoding: 'json' })
  const ops: Op[] = [{ type: 'put', sublevel: sub, key: 'k', value: { a: [1, 'two'] } }]
  await db.batch(ops as never)
  const before = await db.get('!views!k', { valueEncoding: 'utf8' })
  const encoded = encodedOps(ops, new Set([sub]))
  t.same(encoded, [{ type: 'put', key: '!views!k', value: before }], 'the key behind its prefix, the value as JSON')
  await db.batch([{ type: 'put', key: '!views!k2', value: before }] as never, ENCODED as never)
  t.same(await sub.get('k2'), { a: [1, 'two'] }, 'read back through the sublevel')
  t.equal(encodedOps(ops, new Set()), null, 'a sublevel that is not ours: not encoded here')
  t.equal(encodedOps([{ type: 'put', sublevel: sub, key: 'x', value: undefined }], new Set([sub])), null, 'nor a put without a value')
  t.equal(
    encodedOps([{ type: 'del', sublevel: sub, key: undefined as unknown as string }], new Set([sub])),
    null,
    'nor a key that is no string',
  )
})
