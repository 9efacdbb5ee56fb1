import type { ErrorCode } from '../../shared/index.js'

/** A rule's answer: yes, or no with a stable code and a sentence saying what to do. */
export type Verdict = { ok: true } | { ok: false; code: ErrorCode; message: string }
