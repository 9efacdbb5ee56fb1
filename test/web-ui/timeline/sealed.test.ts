/** What the page says about end-to-end encryption: the header's note, where a room began encrypting, an unreadable message. */
import t from 'tap'
import { encryptionNote, waitingFor } from '../../../web-ui/src/rooms/room-header.js'
import { startsEncryption, UNREADABLE_TEXT, unreadableText } from '../../../web-ui/src/timeline/sealed-model.js'

t.test('the header says whether a room is encrypted, and whom it waits for', async (t) => {
  t.equal(encryptionNote({ kind: 'public' }), '', 'public rooms: nothing to say')
  t.equal(encryptionNote({ kind: 'private', encrypted: true }), ', end-to-end encrypted')
  t.equal(encryptionNote({ kind: 'direct', encrypted: false, waitingForKeys: ['dave'] }), ', not encrypted until dave logs in again')
  t.equal(
    encryptionNote({ kind: 'private', encrypted: false, waitingForKeys: ['dave', 'erin'] }),
    ', not encrypted until dave, erin log in again',
  )
  t.equal(encryptionNote({ kind: 'private', encrypted: false }), ', encrypted from its next message')
  t.equal(waitingFor({ kind: 'private', encrypted: false, waitingForKeys: ['dave'] }), 'dave logs in again', 'shown under the name too')
  t.equal(waitingFor({ kind: 'private', encrypted: true, waitingForKeys: ['dave'] }), '', 'nothing once encrypted')
})

t.test('the notice goes where a room began encrypting, and only there', async (t) => {
  t.ok(startsEncryption({}, { encrypted: true }), 'the first sealed message after a plain one')
  t.notOk(startsEncryption(undefined, { encrypted: true }), 'not at the top of a room encrypted from its start (the header says so)')
  t.notOk(startsEncryption({ encrypted: true }, { encrypted: true }), 'not between two sealed messages')
  t.notOk(startsEncryption({}, {}), 'not between plain ones')
})

t.test('an unreadable message says so, with its reason code', async (t) => {
  for (const reason of ['no_key', 'no_session_key', 'key_invalid', 'tampered'] as const) {
    const said = unreadableText(reason)
    t.equal(said.text, UNREADABLE_TEXT)
    t.match(said.title, new RegExp(`\\(${reason}\\)$`), `${reason}: the code is in the title`)
  }
  t.equal(UNREADABLE_TEXT, 'This message cannot be read on this machine.')
})
