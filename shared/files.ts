/**
 * Files in messages: what a message says about each file it carries (the bytes travel apart,
 * content-addressed by SHA-256), and the rules for a file's name, shared by the daemon (which
 * enforces them) and the page (which shows them).
 */
import * as z from 'zod'

/** The relay's default limit for one file; it announces its own in the status. */
export const DEFAULT_MAX_FILE_BYTES = 100 * 1024 * 1024
/** Files up to this size are copied to every machine as soon as they are shared; larger ones when someone opens them. */
export const EAGER_FILE_BYTES = 4 * 1024 * 1024
/** Files one message may carry. */
export const MAX_FILES_PER_MESSAGE = 10
export const FILE_NAME_MAX = 200

export const Sha256 = z.string().regex(/^[a-f0-9]{64}$/, 'a SHA-256 is 64 lowercase hex digits')

/** A picture's sizes: thumbnail and display renditions are files of their own. */
export const PictureRef = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  thumbnail: Sha256,
  thumbnailWidth: z.number().int().positive(),
  thumbnailHeight: z.number().int().positive(),
  display: Sha256,
  /** What the renditions are encoded as: image/jpeg, image/png, image/webp or image/gif. */
  mime: z.enum(['image/jpeg', 'image/png', 'image/webp', 'image/gif']),
})

export const FileRef = z.object({
  sha256: Sha256,
  /**
   * Already clean, on every boundary: a daemon cleans the names of its own uploads, and a
   * modified one must not be able to make every machine show "invoice\u202Etxt.exe" (which
   * reads as "invoiceexe.txt") or offer "../../.bashrc" as a download.
   */
  name: z
    .string()
    .min(1)
    .max(FILE_NAME_MAX)
    .refine(isCleanFileName, 'a file name has no folders, control or direction characters, or leading dots or spaces'),
  size: z.number().int().nonnegative(),
  /** What the sender's machine said it is; never trusted for how it is served. */
  mime: z.string().max(100),
  picture: PictureRef.optional(),
})
export type FileRef = z.infer<typeof FileRef>
export type PictureRef = z.infer<typeof PictureRef>

/**
 * A blob as every machine sees it in a message of an end-to-end encrypted room: the SHA-256 and
 * size of a sealed file's CIPHERTEXT (daemon/sealing/file-stream.ts). All the relay and the
 * machines need to offer, move, limit, copy and sweep it; nothing of the file's name, type or
 * bytes. A sealed file is at least 41 bytes (a 24-byte header and one 17-byte final chunk).
 */
export const SealedBlob = z.object({
  sha256: Sha256,
  size: z.number().int().min(41),
})
export type SealedBlob = z.infer<typeof SealedBlob>
/** Blobs one sealed message may carry: each file, and a picture's two smaller sizes. */
export const MAX_BLOBS_PER_MESSAGE = 3 * MAX_FILES_PER_MESSAGE

/**
 * Where one of a file's sealed blobs is and the key that opens it: libsodium secretstream
 * (XChaCha20-Poly1305) under `key`, 32 random bytes of its own. Only ever inside a message's
 * sealed content, so only the room's members see it.
 */
export const FileSeal = z.object({
  blob: Sha256,
  size: z.number().int().min(41),
  key: z.string().regex(/^[A-Za-z0-9_-]{43}$/, '32 bytes in base64url'),
})
export type FileSeal = z.infer<typeof FileSeal>

/**
 * A file of a sealed message, as its members' daemons read it inside the sealed content: the
 * FileRef the sender's page saw (its `sha256` and the picture's are of the PLAINTEXT, which is
 * how the page names it), and where each of its blobs is sealed. A picture has a seal for each
 * of its three sizes, anything else for its bytes only.
 */
export const SealedFileRef = FileRef.extend({
  seal: z.object({ original: FileSeal, display: FileSeal.optional(), thumbnail: FileSeal.optional() }),
}).refine((f) => Boolean(f.picture) === Boolean(f.seal.display && f.seal.thumbnail), 'a picture has a seal for each of its sizes')
export type SealedFileRef = z.infer<typeof SealedFileRef>

/** What a message's sealed content holds once opened: its text, and its files with their keys. */
export const SealedMessageContent = z.object({
  text: z.string(),
  files: z.array(SealedFileRef).max(MAX_FILES_PER_MESSAGE).optional(),
})
export type SealedMessageContent = z.infer<typeof SealedMessageContent>

/** Control characters and the bidirectional embeddings, overrides and isolates. */
const UNSAFE_CHARS = '\\u0000-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069'
const UNSAFE = new RegExp(`[${UNSAFE_CHARS}]`, 'g')
/** No folder separator or unsafe character, no leading space or dot, no trailing space. */
const CLEAN = new RegExp(`^(?![\\s.])[^/\\\\${UNSAFE_CHARS}]*(?<!\\s)$`)

/**
 * Whether `safeFileName(name) === name`, for a non-empty name of at most FILE_NAME_MAX UTF-16
 * units (what FileRef checks first), in one regular expression: every file of every catch-up
 * frame is checked, and calling safeFileName costs about 1 µs a name, this about 0.15 µs.
 * test/shared/files.test.ts holds the two to the same answers.
 */
export function isCleanFileName(name: string): boolean {
  return CLEAN.test(name)
}

/**
 * A name safe to keep and to offer as a download: no folders ("../../.bashrc" is ".bashrc"),
 * no control characters, no leading dots or spaces, at most FILE_NAME_MAX characters with the
 * extension kept, and never empty.
 */
export function safeFileName(given: string): string {
  const base = given.split(/[/\\]/).pop() ?? ''
  const clean = base
    .replace(UNSAFE, '')
    .replace(/^[\s.]+/, '')
    .trim()
  if (clean.length === 0) return 'file'
  const chars = [...clean]
  if (chars.length <= FILE_NAME_MAX) return clean
  const dot = clean.lastIndexOf('.')
  const ext = dot > 0 && clean.length - dot <= 16 ? clean.slice(dot) : ''
  // Trimmed again: a cut may end on a space, and a clean name must stay as it is when cleaned again.
  return (
    chars
      .slice(0, FILE_NAME_MAX - [...ext].length)
      .join('')
      .trimEnd() + ext
  )
}
