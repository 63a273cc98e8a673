// The Requests page's filters, read from and written to the URL, and the same filters applied
// to a live row so a new request is only shown where the server would have listed it.

import type { RequestQuery } from '../api/admin'
import type { RequestRow } from '../api/types'
import { tagPairs } from './format'

export const FILTER_KEYS = ['q', 'model', 'provider', 'status', 'client', 'tag', 'since', 'until'] as const
export type FilterKey = (typeof FILTER_KEYS)[number]
export type Filters = Record<FilterKey, string>

export const PAGE_SIZE = 50

export function filtersFrom(params: URLSearchParams): Filters {
  const out = {} as Filters
  for (const key of FILTER_KEYS) out[key] = params.get(key) ?? ''
  return out
}

export type Sorting = { sort: string; order: 'asc' | 'desc' }

export function sortingFrom(params: URLSearchParams): Sorting {
  return { sort: params.get('sort') || 'started_at', order: params.get('order') === 'asc' ? 'asc' : 'desc' }
}

export function queryFor(filters: Filters, sorting: Sorting, offset: number): RequestQuery {
  const query: RequestQuery = { limit: PAGE_SIZE, offset, sort: sorting.sort, order: sorting.order }
  for (const key of FILTER_KEYS) if (filters[key].trim()) query[key] = filters[key].trim()
  return query
}

/** `YYYY-MM-DD` is a UTC day (until: to its end); anything else is an RFC 3339 time. */
const DAY = /^\d{4}-\d{2}-\d{2}$/

function bound(text: string, end: boolean): number {
  if (DAY.test(text)) {
    const start = Date.parse(text + 'T00:00:00Z')
    return end ? start + 86_400_000 : start
  }
  return Date.parse(text)
}

function statusMatches(filter: string, row: RequestRow): boolean {
  const f = filter.trim().toLowerCase()
  if (/^\d+$/.test(f)) return row.status === Number(f)
  const cls = /^(\d)xx$/.exec(f)
  if (cls) return Math.floor(row.status / 100) === Number(cls[1])
  if (f === 'error' || f === 'failed') return row.outcome !== 'ok'
  return row.outcome === f
}

/** Whether the server would list `row` under `filters` (used for rows arriving live). */
export function rowMatches(row: RequestRow, filters: Filters): boolean {
  const f = (key: FilterKey) => filters[key].trim()
  if (f('model') && row.requested_model !== f('model') && row.upstream_model !== f('model')) return false
  if (f('provider') && row.provider !== f('provider')) return false
  if (f('client') && row.client !== f('client')) return false
  if (f('status') && !statusMatches(f('status'), row)) return false
  const started = Date.parse(row.started_at)
  if (f('since') && !(started >= bound(f('since'), false))) return false
  if (f('until') && !(started < bound(f('until'), true))) return false
  if (f('tag')) {
    const [key, ...rest] = f('tag').split('=')
    const value = rest.join('=').trim()
    const found = tagPairs(row.tags).some(([k, v]) => k === key.trim() && (rest.length === 0 || v === value))
    if (!found) return false
  }
  if (f('q')) {
    const needle = f('q').toLowerCase()
    const hay = [row.id, row.requested_model, row.upstream_model, row.provider, row.client, row.error]
    if (!hay.some((h) => h?.toLowerCase().includes(needle))) return false
  }
  return true
}

/** Live rows can be inserted only where they would land: page one, newest first. */
export function liveInsertable(sorting: Sorting, offset: number): boolean {
  return offset === 0 && sorting.sort === 'started_at' && sorting.order === 'desc'
}
