/**
 * The terminal's log lines: one readable line per pino record, the context every line shares
 * (pid, host, node id, machine name) left out, the part first, other fields as key=value.
 */
import pino from 'pino'
import t from 'tap'
import { formatRecord, prettyDestination } from '../../../daemon/cli/pretty-log.js'

t.test('a record becomes one line: time, level, part, message, the other fields', async (t) => {
  const record = JSON.stringify({
    level: 40,
    time: new Date(2026, 10, 30, 12, 3, 4).getTime(),
    pid: 1,
    hostname: 'vm',
    node: 'abc',
    name: 'lab-pc',
    part: 'link',
    msg: 'lost the relay',
    peer: 'lab pc 2',
    attempts: 3,
  })
  t.equal(formatRecord(record, false), '12:03:04 WARN  link: lost the relay peer="lab pc 2" attempts=3')
  const ESC = String.fromCharCode(27)
  t.ok(formatRecord(record, true).startsWith(`12:03:04 ${ESC}[33mWARN ${ESC}[0m link:`), 'the level in colour on a colour terminal')
  t.equal(formatRecord('not json\n', false), 'not json', 'anything else passes through')
})

t.test('an error shows its message, not its stack', async (t) => {
  const line = formatRecord(
    JSON.stringify({
      level: 50,
      time: 0,
      msg: 'write failed',
      err: { type: 'Error', message: 'disk full', stack: 'Error: disk full\n    at x' },
    }),
    false,
  )
  t.match(line, /ERROR write failed err="disk full"$/)
})

t.test('pino writes through it', async (t) => {
  const written: string[] = []
  const out = { isTTY: false, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream
  pino({ level: 'info' }, prettyDestination(out)).child({ part: 'http' }).info({ ui: 'http://127.0.0.1:47800' }, 'listening')
  t.equal(written.length, 1)
  t.match(written[0], /^\d\d:\d\d:\d\d INFO {2}http: listening ui=http:\/\/127\.0\.0\.1:47800\n$/)
})
