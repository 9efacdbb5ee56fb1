/**
 * A relay caught signing two histories for one term (daemon/replica/order-check.ts) is said in
 * the Network panel in words a person can act on: which machine, which term, what it may mean.
 */
import t from 'tap'
import type { MachinesResponse } from '../../../shared/index.js'
import { forkText, forkTexts } from '../../../web-ui/src/network/network-model.js'

const FP = '4F2A-0000-1111-2222-3333-4444-5555-6666'
const fork = { relayId: '00000000000000a2', fingerprint: FP, term: 7, detectedAt: 1_700_000_000_000 }

t.test('a fork, in words', async (t) => {
  t.match(
    forkText({ ...fork, name: 'h2' }),
    /^h2 \(4F2A-0000-1111-2222-3333-4444-5555-6666\) signed two different histories for term 7 — it may be compromised\./,
  )
  t.match(forkText({ ...fork, name: 'h2' }), /no longer follows it as relay/, 'what this machine did about it')
  t.match(
    forkText({ ...fork, name: null }),
    /^The machine with fingerprint 4F2A-0000-1111-2222-3333-4444-5555-6666 signed two different histories for term 7/,
    'a machine it does not know by name',
  )
  const list: MachinesResponse = { network: { name: 'lab', open: false, standing: 'member', interface: null }, machines: [], unlisted: 0 }
  t.same(forkTexts(list), [], 'no forks (an older daemon does not send the field): nothing said')
  t.equal(
    forkTexts({
      ...list,
      forks: [
        { ...fork, name: 'h2' },
        { ...fork, name: 'h3', term: 8 },
      ],
    }).length,
    2,
    'one line each',
  )
})
