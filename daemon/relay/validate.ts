/**
 * What a submission must satisfy to enter the log, checked by the relay against its views
 * and against the other submissions of the same batch. Schema checks already happened at the
 * link boundary; these are the rules that need state.
 */
import type { Submission } from '../../shared/index.js'
import type { Views } from '../store/index.js'
import type { ErrorCode } from '../../shared/index.js'

export type Verdict = { ok: true } | { ok: false; code: ErrorCode; message: string }

/** Names claimed earlier in the batch being validated (lower-case). */
export interface BatchState {
  usernames: Set<string>
}

export async function validate(s: Submission, views: Views, batch: BatchState): Promise<Verdict> {
  const body = s.body
  switch (body.type) {
    case 'account.created': {
      const key = body.username.toLowerCase()
      if (batch.usernames.has(key) || (await views.account(body.username))) {
        return { ok: false, code: 'username_taken', message: `The username "${body.username}" is taken. Choose another.` }
      }
      batch.usernames.add(key)
      return { ok: true }
    }
    case 'message.posted':
    case 'read.marked': {
      const who = body.type === 'message.posted' ? body.author : body.username
      const known = batch.usernames.has(who.toLowerCase()) || (await views.account(who))
      if (!known) return { ok: false, code: 'unknown_author', message: `No account "${who}" exists on the relay.` }
      return { ok: true }
    }
  }
}
