/** The page's banner for a full disk: there while status says full, gone once it does not. */
import t from 'tap'
import { DISK_FULL_BANNER, diskBanner } from '../../../web-ui/src/app/disk-banner-model.js'

t.test('the banner follows status.disk', async (t) => {
  t.equal(diskBanner({ full: true, free: 0 }), DISK_FULL_BANNER)
  t.match(DISK_FULL_BANNER, /disk is full.*can't be sent until space is freed.*Nothing is lost/)
  t.equal(diskBanner({ full: false, free: 123 }), '', 'no banner once writes work again')
  t.equal(diskBanner(undefined), '', 'no banner for an older daemon without disk')
})
