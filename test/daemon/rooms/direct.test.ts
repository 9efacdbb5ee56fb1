/** A direct conversation's id follows from who is in it, whatever the order or case. */
import t from 'tap'
import { RoomId } from '../../../shared/index.js'
import { directRoomId } from '../../../daemon/rooms/index.js'

t.test('the same people give the same id; other people another', async (t) => {
  const id = directRoomId(['alice', 'Bob'])
  t.ok(RoomId.safeParse(id).success, `${id} is a valid room id`)
  t.equal(directRoomId(['bob', 'ALICE']), id, 'order and case do not matter')
  t.equal(directRoomId(['bob', 'alice', 'Alice']), id, 'nor a name given twice')
  t.not(directRoomId(['alice', 'bob', 'carol']), id, 'a third person makes another conversation')
  t.not(directRoomId(['alice', 'bobby']), id)
})
