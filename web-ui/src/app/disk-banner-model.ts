/**
 * The banner a full disk puts on the page (daemon/store/disk.ts sets `status.disk`): shown while
 * the daemon refuses writes for lack of space, gone once it writes again. Pure, for Node tests.
 */
import type { DiskState } from '../../../shared/index.js'

export const DISK_FULL_BANNER = "This computer's disk is full: messages can't be sent until space is freed. Nothing is lost."

/** The banner's text, or '' (no banner): a status from an older daemon has no `disk`. */
export function diskBanner(disk: DiskState | undefined): string {
  return disk?.full ? DISK_FULL_BANNER : ''
}
