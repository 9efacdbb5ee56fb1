/**
 * Sign-up refuses a password estimated to fall within 10^8 guesses (zxcvbn score below 3),
 * saying why in words and what would do; names and common words count as guessable.
 */
import t from 'tap'
import { checkStrength } from '../../../daemon/accounts/strength.js'

t.test('easy passwords are refused with a reason a person understands', async (t) => {
  for (const [password, why] of [
    ['password1', /commonly used password/],
    ['hunter22', /similar to a commonly used password/],
    ['qwertyuiop', /frequently used password/],
    ['zxcvbnm,./', /keyboard|pattern/i],
    ['alice1234', /./],
  ] as const) {
    const err = await checkStrength(password, 'alice').catch((e: unknown) => e)
    t.match(err, { code: 'weak_password', httpStatus: 400, message: why }, `"${password}" is refused`)
    t.match((err as Error).message, /Three or four words that do not belong together/, 'with what would do')
  }
})

t.test('the account name itself makes a password guessable', async (t) => {
  await t.resolves(checkStrength('maplestreet77', 'bob'))
  await t.rejects(checkStrength('maplestreet77', 'maplestreet77'), { code: 'weak_password' })
})

t.test('passphrases pass', async (t) => {
  for (const password of ['lamp orbit velvet', 'correct horse battery staple', 'Tr0ub4dor&3 and more']) {
    await t.resolves(checkStrength(password, 'alice'), `"${password}" is taken`)
  }
})
