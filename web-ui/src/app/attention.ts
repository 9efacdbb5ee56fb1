/**
 * Whether the person is looking at this page: the tab is visible and its window has the
 * focus. The daemon uses it to skip OS notifications about what is already on screen.
 */
export function watchAttention(report: (watching: boolean) => void): () => void {
  let last: boolean | null = null
  const update = () => {
    const watching = document.visibilityState === 'visible' && document.hasFocus()
    if (watching === last) return
    last = watching
    report(watching)
  }
  document.addEventListener('visibilitychange', update)
  window.addEventListener('focus', update)
  window.addEventListener('blur', update)
  update()
  return () => {
    document.removeEventListener('visibilitychange', update)
    window.removeEventListener('focus', update)
    window.removeEventListener('blur', update)
  }
}
