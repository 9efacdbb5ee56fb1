import { BROADCAST_NAMES, PASSWORD_MAX, PASSWORD_MIN, PASSWORD_RULE, USERNAME_PATTERN, USERNAME_RULE } from '../../shared/index.js'
import { InputError } from '../errors/index.js'

export function checkUsername(username: string): string {
  if (!USERNAME_PATTERN.test(username)) throw new InputError('invalid_username', USERNAME_RULE)
  // Only new accounts are checked: an account of that name made before this rule keeps working.
  if (BROADCAST_NAMES.includes(username.toLowerCase())) {
    throw new InputError(
      'username_reserved',
      `"${username}" is kept for @${username.toLowerCase()} mentions (everyone in a room): choose another username.`,
    )
  }
  return username
}

export function checkPassword(password: string): string {
  // Length in code points, so an emoji counts as one character as a person expects.
  const length = [...password].length
  if (length < PASSWORD_MIN || length > PASSWORD_MAX) throw new InputError('invalid_password', PASSWORD_RULE)
  return password
}
