/** Full-text search over the replica (docs/ARCHITECTURE.md, "Search"): the one public entry. */
export {
  Search,
  SEARCH_FILE,
  SEARCH_LIMIT_DEFAULT,
  SEARCH_LIMIT_MAX,
  type SearchAnswer,
  type SearchAsk,
  type SearchResult,
} from './service.js'
export { SEARCH_INDEX_VERSION, IndexDb } from './index-db.js'
export { Indexer, INDEX_BATCH, type IndexProgress } from './indexer.js'
export { SqliteThread } from './sqlite-thread.js'
export { type Highlight, highlights } from './highlights.js'
export { docOf, matchExpression, prepare, type SearchDoc } from './tokens.js'
export type { Open } from './sealed.js'
export { indexAsApplied } from './follow.js'
