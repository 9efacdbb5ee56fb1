/**
 * The daemon's error classes. Each carries a stable code from shared/errors.ts (what a script
 * can switch on), a message written for a person (what failed, what to do), and the `cause`.
 * HTTP maps `code` to a status; the peer link puts it in reject/error frames.
 */
import { ERROR_CODES, type ErrorCode } from '../../shared/index.js'

export class SochatError extends Error {
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
  get httpStatus(): number {
    return ERROR_CODES[this.code]
  }
}

/** The request or frame itself is wrong: fix the input and retry. */
export class InputError extends SochatError {}
/** Who is asking is unknown or not allowed. */
export class AuthError extends SochatError {}
/** The request collides with the current state (a taken username...). */
export class ConflictError extends SochatError {}
/** Nobody can serve this right now (no relay); retrying later may work. */
export class UnavailableError extends SochatError {}
/** This machine's key in the data folder cannot be used: the daemon does not start; the message says how to fix it. */
export class IdentityError extends SochatError {}
/** The local database failed; the message says where and the cause says why. */
export class StoreError extends SochatError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('internal', message, options)
  }
}

/**
 * The disk holding the data folder is full: nothing was written, nothing already saved is lost,
 * and the daemon carries on by itself once there is space again (daemon/store/disk.ts).
 */
export class DiskFullError extends SochatError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('disk_full', message, options)
  }
}

// LevelDB's IO errors carry the OS's words, not its code: "IO error: …/000026.ldb: No space left on device";
// SQLite's (the search index) say "database or disk is full" (SQLITE_FULL).
const NO_SPACE = /no space left on device|ENOSPC|disk quota exceeded|EDQUOT|database or disk is full|SQLITE_FULL/i

/**
 * Whether `err`, or any error in its `cause` chain, says the disk is full: Node's `ENOSPC`
 * (and `EDQUOT`, a quota that is full), LevelDB's IO error text, or SQLite's `SQLITE_FULL`.
 * The one place that knows.
 */
export function isNoSpace(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown }
    if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL') return true
    if (typeof message === 'string' && NO_SPACE.test(message)) return true
  }
  return false
}

export function errorBody(err: SochatError): { error: { code: ErrorCode; message: string } } {
  return { error: { code: err.code, message: err.message } }
}

/** The error class a code belongs to, for refusals that arrive as a code (the relay's, a rule's). */
export function errorFor(code: ErrorCode, message: string, options?: { cause?: unknown }): SochatError {
  const status = ERROR_CODES[code]
  if (status === 401 || status === 403) return new AuthError(code, message, options)
  if (status === 409) return new ConflictError(code, message, options)
  if (status >= 500) return new UnavailableError(code, message, options)
  return new InputError(code, message, options)
}
