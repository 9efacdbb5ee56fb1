/**
 * Fetches emoji.json (same origin, beside app.js) once, on first use of the picker or of `:`
 * completion, so the page does not carry 1,900 emoji it may never show. Every caller shares
 * one request; a failed one is forgotten, so the next use tries again.
 */
import { parseEmojiData, rememberNames, type EmojiSet } from './emoji-model.js'

let loading: Promise<EmojiSet> | null = null
let loaded: EmojiSet | null = null

/** The data if it is already here, without asking for it. */
export function emojiIfLoaded(): EmojiSet | null {
  return loaded
}

/** The data; rejects with a sentence a person can act on. */
export function loadEmoji(): Promise<EmojiSet> {
  loading ??= fetchEmoji().then(
    (set) => {
      loaded = set
      rememberNames(set)
      return set
    },
    (err: unknown) => {
      loading = null
      throw err
    },
  )
  return loading
}

async function fetchEmoji(): Promise<EmojiSet> {
  let res: Response
  try {
    res = await fetch('/emoji.json', { credentials: 'same-origin' })
  } catch {
    throw new Error('The emoji could not be loaded: the daemon did not answer. Try again in a moment.')
  }
  if (!res.ok) throw new Error(`The emoji could not be loaded (HTTP ${res.status}). Try again, or reinstall SO-CHAT if it stays.`)
  const set = parseEmojiData(await res.json().catch(() => null))
  if (!set) throw new Error('The emoji could not be loaded: emoji.json is damaged. Reinstall SO-CHAT to repair it.')
  return set
}
