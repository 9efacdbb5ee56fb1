/** Types of emoji-data.mjs, for the tests that check the data the page is given. */
export type EmojiRow = [char: string, name: string, group: number, codes: string, keywords: string, skins?: string[]]
export interface EmojiData {
  version: 1
  source: string
  groups: string[]
  emoji: EmojiRow[]
}
export const MAX_EMOJI_VERSION: number
export function fullyQualified(unicode: string): string
export function buildEmojiData(): EmojiData
