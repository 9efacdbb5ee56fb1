/**
 * "Jump to latest" (issue 17): when the button shows and what it says.
 */
import t from 'tap'
import { jumpLabel, jumpShown } from '../../../web-ui/src/timeline/jump-model.js'

t.test('shown when something is below the view', async (t) => {
  const at = { distance: 0, viewport: 600, count: 0, farBack: false }
  t.equal(jumpShown(at), false, 'at the newest message')
  t.equal(jumpShown({ ...at, distance: 200 }), false, 'a small nudge up is still reading')
  t.equal(jumpShown({ ...at, distance: 301 }), true, 'more than half a screen up')
  t.equal(jumpShown({ ...at, distance: 50, count: 2 }), true, 'new messages came below')
  t.equal(jumpShown({ ...at, farBack: true }), true, 'opened far back: newer pages wait')
})

t.test('its words say how many came', async (t) => {
  t.equal(jumpLabel(0), 'Jump to latest')
  t.equal(jumpLabel(1), 'Jump to latest: 1 new message')
  t.equal(jumpLabel(7), 'Jump to latest: 7 new messages')
  t.equal(jumpLabel(250), 'Jump to latest: 99+ new messages')
  t.equal(jumpLabel(-1), 'Jump to latest')
})
