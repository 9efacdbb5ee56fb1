/**
 * Finding emoji: the picker's search box (words against names, shortcodes and keywords) and
 * `:smi` completion (against shortcodes). Both rank by how well a word matches, then by
 * recent use, then in Unicode's order, so `:+1` offers 👍 first and "heart" offers ❤️ before
 * 💔. Pure, so it is tested in Node.
 */
import type { Emoji, EmojiSet } from './emoji-model.js'

/** How well one typed word fits an emoji: lower is better, null is not at all. */
function wordTier(emoji: Emoji, word: string): number | null {
  if (emoji.codes.includes(word)) return 0
  if (emoji.codes.some((c) => c.startsWith(word))) return 1
  if (
    emoji.name
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .some((w) => w.startsWith(word))
  )
    return 1
  if (emoji.codes.some((c) => c.split(/[_-]/).some((w) => w.startsWith(word)))) return 2
  if (emoji.keywords.some((k) => k.startsWith(word))) return 3
  return null
}

interface Ranked {
  emoji: Emoji
  score: number
  recent: number
  order: number
}

function byRank(a: Ranked, b: Ranked): number {
  return a.score - b.score || a.recent - b.recent || a.order - b.order
}

function recentRanks(recent: readonly string[]): (e: Emoji) => number {
  const at = new Map(recent.map((c, i) => [c, i]))
  return (e) => at.get(e.char) ?? recent.length
}

export interface SearchOptions {
  recent?: readonly string[]
  /** Leaves out what cannot be used here (a reaction must be one the daemon accepts). */
  allow?: (emoji: Emoji) => boolean
  limit?: number
}

/** Emoji for the picker's search box: every word must fit; an empty search finds nothing. */
export function searchEmoji(set: EmojiSet, query: string, options: SearchOptions = {}): Emoji[] {
  const typed = query.toLowerCase().replace(/:/g, ' ').split(/\s+/).filter(Boolean)
  if (typed.length === 0) return []
  const phrase = typed.join(' ')
  const recentOf = recentRanks(options.recent ?? [])
  const found: Ranked[] = []
  set.emoji.forEach((emoji, order) => {
    if (options.allow && !options.allow(emoji)) return
    let score = emoji.name.toLowerCase() === phrase ? -1 : 0
    for (const w of typed) {
      const tier = wordTier(emoji, w)
      if (tier === null) return
      score += tier
    }
    found.push({ emoji, score, recent: recentOf(emoji), order })
  })
  return found
    .sort(byRank)
    .slice(0, options.limit ?? found.length)
    .map((r) => r.emoji)
}

export interface CodeMatch {
  emoji: Emoji
  /** The shortcode that matched, shown as `:code:` in the list. */
  code: string
}

/** `:smi` → shortcodes that start with "smi" (shorter first), then those with a word that does. */
export function completeShortcode(set: EmojiSet, query: string, options: SearchOptions = {}): CodeMatch[] {
  const q = query.toLowerCase().replace(/:$/, '')
  if (!q) return []
  const recentOf = recentRanks(options.recent ?? [])
  const found: (Ranked & { code: string })[] = []
  set.emoji.forEach((emoji, order) => {
    const start = emoji.codes.filter((c) => c.startsWith(q)).sort((a, b) => a.length - b.length)[0]
    const word = start ?? emoji.codes.find((c) => c.split(/[_-]/).some((w) => w.startsWith(q)))
    if (!word) return
    const score = word === q ? 0 : start ? 1 + start.length / 100 : 3
    found.push({ emoji, code: word, score, recent: recentOf(emoji), order })
  })
  return found
    .sort(byRank)
    .slice(0, options.limit ?? found.length)
    .map(({ emoji, code }) => ({ emoji, code }))
}
