/**
 * Files from outside the page: dropped on the conversation (a drop zone shows while files
 * are dragged over it) or pasted into the message box (a screenshot). Both end up as
 * attachments, exactly as if chosen with the Attach button.
 */
import { pastedName } from './file-info-model.js'

export interface DropParts {
  /** Where files may be dropped: the whole conversation, list and composer. */
  area: HTMLElement
  /** The overlay that says "Drop files to attach them"; hidden unless files are dragged over. */
  zone: HTMLElement
  textarea: HTMLTextAreaElement
}

function carriesFiles(ev: DragEvent): boolean {
  return ev.dataTransfer?.types.includes('Files') ?? false
}

/** Watches for dropped and pasted files; `add` gets them. Returns how to stop. */
export function watchFileDrops(parts: DropParts, add: (files: File[]) => void): () => void {
  const { area, zone, textarea } = parts
  // dragenter/dragleave fire for every child crossed: count them, or the zone flickers.
  let depth = 0
  const hide = () => {
    depth = 0
    zone.hidden = true
  }
  const onEnter = (ev: DragEvent) => {
    if (!carriesFiles(ev)) return
    ev.preventDefault()
    depth++
    zone.hidden = false
  }
  const onOver = (ev: DragEvent) => {
    if (!carriesFiles(ev)) return
    // Without this the browser refuses the drop.
    ev.preventDefault()
    if (ev.dataTransfer) ev.dataTransfer.dropEffect = 'copy'
  }
  const onLeave = () => {
    if (--depth <= 0) hide()
  }
  const onDrop = (ev: DragEvent) => {
    if (!carriesFiles(ev)) return
    ev.preventDefault()
    hide()
    add([...(ev.dataTransfer?.files ?? [])])
  }
  const onPaste = (ev: ClipboardEvent) => {
    const files = [...(ev.clipboardData?.files ?? [])]
    // Text pastes as text; only files become attachments.
    if (files.length === 0) return
    ev.preventDefault()
    const now = new Date()
    add(
      files.map((f) => {
        const name = pastedName(f.name, f.type, now)
        return name === f.name ? f : new File([f], name, { type: f.type, lastModified: f.lastModified })
      }),
    )
  }
  // A file dropped anywhere else would make the browser leave the chat to show it.
  const guard = (ev: DragEvent) => {
    if (carriesFiles(ev)) ev.preventDefault()
  }
  const listeners: [EventTarget, string, (ev: never) => void][] = [
    [area, 'dragenter', onEnter],
    [area, 'dragover', onOver],
    [area, 'dragleave', onLeave],
    [area, 'drop', onDrop],
    [textarea, 'paste', onPaste],
    [window, 'dragover', guard],
    [window, 'drop', guard],
  ]
  for (const [target, type, fn] of listeners) target.addEventListener(type, fn as EventListener)
  return () => {
    for (const [target, type, fn] of listeners) target.removeEventListener(type, fn as EventListener)
  }
}
