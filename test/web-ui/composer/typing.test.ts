/**
 * The typing line's wording, and the live feed accepting typing events only in their shape.
 */
import t from 'tap'
import { parseUiEvent } from '../../../web-ui/src/app/ui-event-model.js'
import { typingLine } from '../../../web-ui/src/composer/typing.js'

t.test('who is typing, in a sentence', async (t) => {
  t.equal(typingLine([]), '')
  t.equal(typingLine(['bob']), 'bob is typing…')
  t.equal(typingLine(['bob', 'carol']), 'bob and carol are typing…')
  t.equal(typingLine(['bob', 'carol', 'dave']), 'bob, carol and dave are typing…')
  t.equal(typingLine(['a1x', 'b2x', 'c3x', 'd4x', 'e5x']), 'a1x, b2x and 3 others are typing…')
})

t.test('typing events are accepted only in their shape', async (t) => {
  t.same(parseUiEvent('{"type":"typing","room":"general","username":"bob","on":true}'), {
    type: 'typing',
    room: 'general',
    username: 'bob',
    on: true,
  })
  t.equal(parseUiEvent('{"type":"typing","room":"general","username":"bob","on":"yes"}'), null)
  t.equal(parseUiEvent('{"type":"typing","room":"general","username":"","on":true}'), null)
})
