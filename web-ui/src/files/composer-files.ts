/**
 * Files in the chat, wired: the Attach button, drops and pastes feed the attachment chips;
 * Send waits for their uploads and posts the text with them; thumbnails in the list open
 * the picture viewer. Kept apart from chat-page.ts, which wires everything else.
 */
import type { FileRef } from '../../../shared/files.js'
import type { PictureEdit } from '../../../shared/picture-edit.js'
import type { Message } from '../../../shared/index.js'
import type { Api } from '../app/api.js'
import { byId } from '../app/dom.js'
import { Attachments, type AttachmentParts } from './attachments.js'
import { watchFileDrops, type DropParts } from './file-drop.js'
import { PictureEditor } from './picture-editor.js'
import { PictureViewer, type ViewerParts } from './picture-viewer.js'
import { DaemonUploads } from './daemon-uploads.js'

export interface FilesHost {
  /** Why files cannot be added now (previewing a room, editing a message), or null. */
  refusal(): string | null
  find(id: string): Message | null
}

export type PostFn = (text: string, files: readonly FileRef[], handOff: () => void) => Promise<void>

export class ComposerFiles {
  private readonly attachments: Attachments
  private readonly viewer: PictureViewer
  private readonly editor: PictureEditor | null

  constructor(
    api: Api,
    parts: { attach: AttachmentParts; drop: DropParts; viewer: ViewerParts; log: HTMLElement },
    host: FilesHost,
    editor: PictureEditor | null = null,
  ) {
    this.editor = editor
    const editPicture = editor ? (file: File, w: number, h: number, edit?: PictureEdit) => editor.edit(file, w, h, edit) : null
    this.attachments = new Attachments(parts.attach, new DaemonUploads(api), () => host.refusal(), editPicture)
    watchFileDrops(parts.drop, (files) => this.attachments.add(files))
    this.viewer = new PictureViewer(parts.viewer, parts.log, (id) => host.find(id))
  }

  /** Wired to the elements of index.html. */
  static inPage(api: Api, host: FilesHost): ComposerFiles {
    const textarea = byId<HTMLTextAreaElement>('message')
    return new ComposerFiles(
      api,
      {
        attach: { button: byId('attach'), input: byId('attach-input'), list: byId('attachments'), alert: byId('attach-alert'), textarea },
        drop: { area: byId('room-main'), zone: byId('drop-zone'), textarea },
        viewer: {
          dialog: byId('picture-dialog'),
          title: byId('picture-title'),
          image: byId('picture-image'),
          meta: byId('picture-meta'),
          download: byId('picture-download'),
          close: byId('picture-close'),
        },
        log: byId('timeline'),
      },
      host,
      PictureEditor.inPage(),
    )
  }

  get waiting(): boolean {
    return this.attachments.count > 0
  }

  /** The relay's limit, from a status; checked before each upload starts. */
  setLimit(bytes: number | undefined): void {
    this.attachments.setLimit(bytes ?? null)
  }

  /**
   * Waits for the attachments' uploads, then posts `text` with them. A failed upload throws
   * (in words) before anything is posted; the chips go only once the message is out or safe.
   */
  async send(text: string, handOff: () => void, post: PostFn): Promise<void> {
    const batch = await this.attachments.collect()
    if (text.trim() === '' && batch.files.length === 0) throw new Error('Write something before sending.')
    let gone = false
    const done = () => {
      if (!gone) this.attachments.sent(batch)
      gone = true
    }
    await post(text, batch.files, () => {
      done()
      handOff()
    })
    done()
  }

  reset(): void {
    this.attachments.clear()
    this.viewer.close()
    this.editor?.close()
  }
}
