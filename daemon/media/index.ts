/**
 * Media: pictures decoded, checked and resized for the chat (images.ts); daemon/files stores
 * what comes out.
 *
 * Must not: know about rooms, HTTP or the log; it turns bytes into renditions or refuses them
 * with a stable code and a sentence.
 */
export {
  probeImage,
  renderPicture,
  renderThumbnail,
  squareAvatar,
  type ImageFormat,
  type ImageInfo,
  type Picture,
  type Rendition,
} from './images.js'
export { applyEdit, checkEdit } from './edits.js'
