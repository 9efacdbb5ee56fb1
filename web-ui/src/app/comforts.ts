/**
 * The quick switcher (Ctrl+K) and the People dialog wired to the rest of the page (issue 17,
 * everyday comforts), apart from chat-page.ts so it stays readable. Both offer everyone with an
 * account: the directory (GET /api/v1/people) is read again at each opening, since accounts
 * come and go with the network.
 */
import type { Api } from './api.js'
import { byId } from './dom.js'
import { PeopleDialog } from '../rooms/people-dialog.js'
import { parsePeople } from '../rooms/people-model.js'
import type { Rooms } from '../rooms/rooms.js'
import type { SearchBox } from '../search/search-box.js'
import { QuickSwitcher } from './switcher.js'
import { conversationChoices, directPartners, peopleChoices } from './switcher-model.js'

/** localStorage, or null where the browser refuses it (some private windows throw on access). */
export function browserStorage(): Storage | null {
  try {
    return window.localStorage
  } catch (err) {
    console.warn('Browser storage is not available; drafts and the theme are kept for this page only', err)
    return null
  }
}

export interface ComfortsHost {
  me(): string | null
  /** Online now, from the latest status. */
  online(): readonly string[]
  /** Authors in the room on screen. */
  authors(): string[]
  presence(name: string): 'online' | 'away' | 'offline'
  rooms: Rooms
  search: SearchBox
}

export class Comforts {
  readonly switcher: QuickSwitcher
  readonly people: PeopleDialog
  /** Everyone with an account, as the directory last said. */
  private everyone: string[] = []

  constructor(
    private readonly api: Api,
    private readonly host: ComfortsHost,
  ) {
    this.switcher = this.makeSwitcher()
    this.people = this.makePeople()
  }

  /** Log-out: nothing of the directory stays, and no dialog is left open. */
  reset(): void {
    this.everyone = []
    this.switcher.close()
    this.people.close()
  }

  /** Ctrl+K: the person's conversations, then everyone else (directory, online, in the room shown). */
  private makeSwitcher(): QuickSwitcher {
    const { host } = this
    return new QuickSwitcher(
      { dialog: byId('switcher-dialog'), input: byId('switcher-input'), list: byId('switcher-list'), alert: byId('switcher-alert') },
      {
        enabled: () => host.me() !== null,
        choices: () => {
          const all = host.rooms.known
          const me = host.me()
          const online = host.online()
          const people = peopleChoices([...online, ...host.authors(), ...this.everyone], me, directPartners(all, me), new Set(online))
          return [...conversationChoices(all, me), ...people]
        },
        refresh: async () => {
          const people = parsePeople(await this.api.get<unknown>('/api/v1/people'), host.me())
          if (people) this.everyone = people.names
        },
        choose: async (choice) => {
          if (choice.kind === 'search') host.search.searchFor(choice.target)
          else if (choice.kind === 'room') await host.rooms.open(choice.target)
          else await host.rooms.direct(choice.target)
        },
      },
    )
  }

  /** "People and group messages": everyone with an account; one or several to message. */
  private makePeople(): PeopleDialog {
    const { host } = this
    const people = new PeopleDialog(
      this.api,
      {
        dialog: byId('people-dialog'),
        form: byId('people-form'),
        filter: byId('people-filter'),
        list: byId('people-list'),
        alert: byId('people-alert'),
        start: byId('people-start'),
      },
      { me: () => host.me(), presence: (name) => host.presence(name), start: (names) => host.rooms.direct(names) },
    )
    byId('people-open').addEventListener('click', () => void people.open())
    return people
  }
}
