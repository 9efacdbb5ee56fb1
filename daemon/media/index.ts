/**
 * Media: pictures decoded, checked and resized for the chat (images.ts). Files and their
 * storage come next (issue 5).
 *
 * Must not: know about rooms, HTTP or the log; it turns bytes into renditions or refuses them
 * with a stable code and a sentence.
 */
export { AVATAR_PX, probeImage, renderPicture, squareAvatar, type ImageFormat, type ImageInfo, type Picture, type Rendition } from './images.js'
