/**
 * The Network panel without a browser: machines fall into the groups a person looks in, this
 * machine's standing and the network's openness in plain words, the buttons each row offers
 * (none from a machine without the key), and the words that answer "I can't see bob's
 * machine": its problem, how it was seen, when. The DOM side is network.browser.test.ts.
 */
import t from 'tap'
import type { MachinesResponse, MachineView, NetworkView } from '../../../shared/index.js'
import { parseUiEvent } from '../../../web-ui/src/app/ui-event-model.js'
import {
  actionDone,
  askingBadge,
  conditionText,
  groupMachines,
  lastSeenText,
  newlyAsking,
  openText,
  removeWarning,
  rowActions,
  seenByText,
  standingText,
  toggleLabel,
  unlistedText,
} from '../../../web-ui/src/network/network-model.js'

const FP = '4F2A-0000-1111-2222-3333-4444-5555-6666'
const NOW = 1_700_000_000_000
let n = 0
const machine = (name: string, state: MachineView['state'], more: Partial<MachineView> = {}): MachineView => ({
  nodeId: (++n).toString(16).padStart(16, '0'),
  name,
  fingerprint: FP,
  state,
  address: '192.168.1.20',
  lastSeen: NOW,
  linked: true,
  problem: null,
  seenBy: ['mdns'],
  ...more,
})
const network = (standing: NetworkView['standing'], open = false): NetworkView => ({ name: 'lab', open, standing, interface: 'eth0' })

t.test('machines fall into the groups a person looks in, each by name', async (t) => {
  const g = groupMachines([
    machine('zed', 'member'),
    machine('here', 'this'),
    machine('amy', 'member'),
    machine('bob', 'asking'),
    machine('old', 'outdated'),
    machine('who', 'stranger'),
    machine('no', 'refused'),
    machine('gone', 'removed'),
  ])
  t.equal(g.me?.name, 'here', 'this machine apart')
  t.same(
    g.members.map((m) => m.name),
    ['amy', 'zed'],
    'members, by name',
  )
  t.same(
    g.asking.map((m) => m.name),
    ['bob'],
    'asking to join',
  )
  t.same(
    g.turnedAway.map((m) => m.name),
    ['gone', 'no'],
    'refused and removed together',
  )
  t.same(
    g.seen.map((m) => m.name),
    ['old', 'who'],
    'strangers and outdated: seen but not members',
  )
  t.equal(groupMachines([]).me, null, 'an empty answer: no this-machine, no crash')
})

t.test('this machine’s standing and the network’s openness, in plain words', async (t) => {
  const me = machine('here', 'this')
  t.equal(standingText(network('member'), me), 'Member of lab')
  t.equal(
    standingText(network('asking'), me),
    `Asking to join lab — compare this fingerprint with what a member sees: ${FP}`,
    'asking: says what to compare, and shows it',
  )
  t.match(standingText(network('refused'), me), /^Refused/)
  t.equal(standingText(network('alone'), me), 'Alone: no other machine found yet')
  t.equal(openText(true), 'Open: any SO-CHAT machine that finds this network joins it. Links are still encrypted.')
  t.match(openText(false), /^Closed: only machines that hold the network key/)
  t.same([toggleLabel(true), toggleLabel(false)], ['Close network', 'Open network'], 'the toggle says what it will do')
})

t.test('the buttons a row offers', async (t) => {
  const member = network('member')
  t.same(rowActions(machine('bob', 'asking'), member), ['admit', 'refuse'], 'asking: Let in and Refuse')
  t.same(rowActions(machine('amy', 'member'), member), ['remove'], 'a member: Remove')
  for (const state of ['this', 'refused', 'removed', 'stranger', 'outdated'] as const)
    t.same(rowActions(machine('x', state), member), [], `${state}: nothing to press`)
  for (const standing of ['asking', 'refused', 'alone'] as const)
    t.same(
      rowActions(machine('bob', 'asking'), network(standing)),
      [],
      `from a machine that is ${standing}: it holds no key to let anyone in with`,
    )
  t.match(removeWarning('amy'), /cut off at once; the network key is replaced/, 'Remove says what it does before it is done')
  t.same(
    [actionDone('admit', 'bob'), actionDone('refuse', 'bob'), actionDone('remove', 'amy')],
    ['bob was let in and is now a member.', 'bob was refused.', 'amy was removed; the network key was replaced.'],
    'and what was done, once it is',
  )
})

t.test('why a machine is not there, in words', async (t) => {
  t.equal(conditionText(machine('amy', 'member')), 'Linked')
  t.equal(conditionText(machine('amy', 'member', { linked: false })), 'Not linked right now')
  t.equal(
    conditionText(machine('amy', 'member', { linked: false, problem: 'No answer on 192.168.1.20:7331 for 2 minutes' })),
    'No answer on 192.168.1.20:7331 for 2 minutes',
    'the daemon’s own problem wins',
  )
  t.equal(conditionText(machine('old', 'outdated')), 'Runs an older SO-CHAT: update it.')
  t.equal(
    conditionText(machine('old', 'outdated', { problem: 'protocol 3, this is 4' })),
    'Runs an older SO-CHAT: update it (protocol 3, this is 4).',
  )
  t.match(conditionText(machine('bob', 'asking')), /compare its fingerprint/)
  t.match(
    conditionText(machine('amy', 'member', { linked: false }), 9_983),
    /^Not named by the relay/,
    'on a network whose relay names only some machines, not being named is not being unlinked',
  )
  t.equal(conditionText(machine('amy', 'member'), 9_983), 'Linked')
  t.equal(unlistedText(0), null, 'a relay that names every machine: nothing said')
  t.equal(unlistedText(1), '1 more machine is linked to the relay with nobody on them: counted, not listed.')
  t.equal(unlistedText(9_983), '9,983 more machines are linked to the relay with nobody on them: counted, not listed.')
  t.equal(seenByText(['mdns'], 'eth0'), 'Seen by mDNS on interface eth0')
  t.equal(seenByText(['static', 'roster'], null), 'Address given, via the relay')
  t.equal(seenByText(['mdns', 'link'], null), 'Seen by mDNS, linked to this machine', 'no interface named when discovery gave none')
  t.equal(seenByText([], 'eth0'), 'Not seen directly')
  t.equal(lastSeenText(null, NOW), 'Never heard from')
  t.equal(lastSeenText(NOW - 5_000, NOW), 'Last seen just now')
  t.equal(lastSeenText(NOW - 60_000, NOW), 'Last seen 1 minute ago')
  t.equal(lastSeenText(NOW - 3 * 3_600_000, NOW), 'Last seen 3 hours ago')
  t.equal(lastSeenText(NOW - 2 * 86_400_000, NOW), 'Last seen 2 days ago')
  t.equal(lastSeenText(NOW + 60_000, NOW), 'Last seen just now', 'a clock ahead is not "-1 minutes"')
})

t.test('what changed is worth saying: a machine newly asking, the sidebar’s badge', async (t) => {
  const bob = machine('bob', 'asking')
  const carol = machine('carol', 'asking')
  const list = (standing: NetworkView['standing'], ...machines: MachineView[]): MachinesResponse => ({
    network: network(standing),
    machines,
    unlisted: 0,
  })
  t.same(newlyAsking(list('member', bob), list('member', bob, carol)), ['carol'], 'only the new one')
  t.same(newlyAsking(null, list('member', bob)), ['bob'], 'everyone, the first time')
  t.same(newlyAsking(list('member', bob), list('member', machine('bob', 'member'))), [], 'let in: nobody new asks')
  t.equal(askingBadge(list('member', bob, carol)), '2 asking to join')
  t.equal(askingBadge(list('member', machine('amy', 'member'))), '', 'nobody waiting: no badge')
  t.equal(askingBadge(list('asking', bob)), '', 'no badge where nobody could let them in')
  t.equal(askingBadge(null), '')
})

t.test('the live feed’s machines hint', async (t) => {
  t.same(parseUiEvent('{"type":"machines"}'), { type: 'machines' }, 'read as a hint to refetch')
})
