/**
 * The heartbeat period a relay asks of its links for the size of its network: unchanged for
 * every network this is built for, longer only where the relay's pongs would cost a core.
 */
import t from 'tap'
import { HEARTBEAT_MS, heartbeatFor, PONGS_PER_S } from '../../../daemon/link/heartbeat.js'
import { HEARTBEAT_PERIOD_MAX_MS } from '../../../shared/index.js'

t.test('up to 2,000 machines the period is the 2 s every link starts with', async (t) => {
  for (const machines of [1, 2, 40, 500, 1999, 2000]) t.equal(heartbeatFor(machines), HEARTBEAT_MS, `${machines} machines`)
})

t.test('one more second per thousand machines above that, in whole seconds', async (t) => {
  t.equal(heartbeatFor(2001), 3000)
  t.equal(heartbeatFor(3000), 3000)
  t.equal(heartbeatFor(7500), 8000)
  t.equal(heartbeatFor(10_000), 10_000)
})

t.test('never longer than the schema lets a relay ask, however large the network', async (t) => {
  for (const machines of [10_001, 50_000, 1_000_000]) t.equal(heartbeatFor(machines), HEARTBEAT_PERIOD_MAX_MS)
})

t.test('the pongs a second stay near the budget from 2,000 to 10,000 machines', async (t) => {
  for (let machines = 2000; machines <= 10_000; machines += 250) {
    const pongs = machines / (heartbeatFor(machines) / 1000)
    t.ok(pongs <= PONGS_PER_S, `${machines} machines: ${pongs.toFixed(0)} pongs a second`)
  }
})
