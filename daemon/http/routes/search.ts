import type { FastifyInstance } from 'fastify'
import { parseSearchQuery, SearchParams, type SearchResponse } from '../../../shared/index.js'
import { errorFor, InputError, UnavailableError } from '../../errors/index.js'
import { MessageOpener } from '../message-opener.js'
import { readableRoom, roomId } from '../room-access.js'

import type { HttpContext } from '../context.js'

/**
 * GET /api/v1/search (docs/API.md, "Search"): the query parsed by shared/search-query.ts, a bad
 * one answered 400 with the parser's code; the search itself in daemon/search, which checks
 * what the person may read at query time. Sealed messages are opened with the person's own
 * opener (message-opener.ts), wiped when the request ends.
 */
export function searchRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get('/api/v1/search', async (req): Promise<SearchResponse> => {
    const search = ctx.search
    if (!search) throw new UnavailableError('internal', 'Search is not running on this daemon; restart it.')
    const params = SearchParams.safeParse(req.query)
    if (!params.success) {
      const field = params.error.issues[0]?.path.join('.') ?? 'a parameter'
      throw new InputError('bad_request', `The search's ${field} is not valid; see docs/API.md, "Search".`)
    }
    const parsed = parseSearchQuery(params.data.q)
    if (!parsed.ok) throw errorFor(parsed.error.code, parsed.error.message)
    const me = req.who.session.username
    const room = params.data.room === undefined ? undefined : (await readableRoom(ctx, roomId({ room: params.data.room }), me)).id
    const opener = MessageOpener.forSession(ctx.store.views.q, req.who, ctx.log)
    try {
      return await search.search(
        me,
        {
          query: parsed.query,
          ...(room === undefined ? {} : { room }),
          ...(params.data.from === undefined ? {} : { from: params.data.from }),
          limit: params.data.limit,
          sort: params.data.sort,
          ...(params.data.before === undefined ? {} : { cursor: params.data.before }),
        },
        (m) => opener.open(m),
      )
    } finally {
      opener.close()
    }
  })
}
