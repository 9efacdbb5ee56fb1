/**
 * How hard a new password is to guess, by zxcvbn's estimate (@zxcvbn-ts, with its common and
 * English word lists): a password is the only thing between someone holding a copy of the log
 * and that person's private keys (keys.ts), so sign-up refuses one estimated to fall within
 * 10^8 guesses (zxcvbn score below 3). At about 0.3 s a guess (scrypt, keys.ts) that is a year
 * of one core per account; a score-2 password ("somewhat guessable") would be days.
 *
 * The word lists take half a second and some MiB to load, so they load at the first sign-up
 * on this machine, not at start.
 */
import type { ZxcvbnFactory } from '@zxcvbn-ts/core'
import { InputError } from '../errors/index.js'

export const MIN_SCORE = 3

let estimator: Promise<ZxcvbnFactory> | null = null

function load(): Promise<ZxcvbnFactory> {
  estimator ??= (async () => {
    // CommonJS packages, read through `default` (their exports object): named exports work
    // under Node but not in the daemon's bundle, where esbuild gives a CommonJS module split
    // into a chunk of its own (these, loaded lazily) a default export only.
    const [core, common, en] = await Promise.all([
      import('@zxcvbn-ts/core'),
      import('@zxcvbn-ts/language-common'),
      import('@zxcvbn-ts/language-en'),
    ])
    return new core.default.ZxcvbnFactory({
      dictionary: { ...common.default.dictionary, ...en.default.dictionary },
      graphs: common.default.adjacencyGraphs,
      translations: en.default.translations,
    })
  })()
  return estimator
}

/** Refuses a password too easy to guess, saying why and what would do; `username` counts as guessable. */
export async function checkStrength(password: string, username: string): Promise<void> {
  const result = (await load()).check(password, [username, 'sochat', 'so-chat', 'chat'])
  if (result.score >= MIN_SCORE) return
  const why = result.feedback.warning ?? 'This password would be guessed too soon.'
  const tips = result.feedback.suggestions.length ? ` ${result.feedback.suggestions.join(' ')}` : ''
  throw new InputError(
    'weak_password',
    `${why}${tips} Three or four words that do not belong together, like "lamp orbit velvet", are easy to remember and hard to guess.`,
  )
}
