import { describe, expect, it } from 'vitest'
import type { RequestRow } from '../api/types'
import { filtersFrom, liveInsertable, queryFor, rowMatches, sortingFrom } from './requestFilter'

const row: RequestRow = {
  id: 'req_01',
  started_at: '2026-03-02T10:00:00Z',
  client: 'claude-code',
  inbound_api: 'messages',
  requested_model: 'coder',
  provider: 'anthropic',
  upstream_model: 'claude-sonnet-4-5',
  status: 200,
  outcome: 'ok',
  stream: true,
  attempts: 1,
  input_tokens: 10,
  cached_input_tokens: 0,
  cache_write_tokens: 0,
  output_tokens: 5,
  reasoning_tokens: 0,
  usage_estimated: false,
  cost_usd: 0.0001,
  price_source: 'builtin:anthropic/claude-sonnet-4-5',
  latency_ms: 900,
  ttft_ms: 300,
  tags: { project: 'web' },
  error: null,
  user_agent: null,
  cache_hit: false,
  key_last_four: null,
  client_key: null,
  warnings: [],
} as RequestRow

const f = (q: string) => filtersFrom(new URLSearchParams(q))

describe('rowMatches', () => {
  it('lists a live row only where the server would', () => {
    expect(rowMatches(row, f(''))).toBe(true)
    expect(rowMatches(row, f('model=coder'))).toBe(true)
    expect(rowMatches(row, f('model=claude-sonnet-4-5'))).toBe(true)
    expect(rowMatches(row, f('model=gpt-4.1'))).toBe(false)
    expect(rowMatches(row, f('provider=openai'))).toBe(false)
    expect(rowMatches(row, f('status=2xx'))).toBe(true)
    expect(rowMatches(row, f('status=error'))).toBe(false)
    expect(rowMatches(row, f('status=ok'))).toBe(true)
    expect(rowMatches(row, f('status=500'))).toBe(false)
    expect(rowMatches(row, f('tag=project'))).toBe(true)
    expect(rowMatches(row, f('tag=project=web'))).toBe(true)
    expect(rowMatches(row, f('tag=project=api'))).toBe(false)
    expect(rowMatches(row, f('q=SONNET'))).toBe(true)
    expect(rowMatches(row, f('q=nothing'))).toBe(false)
    expect(rowMatches(row, f('client=claude-code'))).toBe(true)
  })

  it('treats days as whole UTC days', () => {
    expect(rowMatches(row, f('since=2026-03-02&until=2026-03-02'))).toBe(true)
    expect(rowMatches(row, f('since=2026-03-03'))).toBe(false)
    expect(rowMatches(row, f('until=2026-03-01'))).toBe(false)
  })
})

describe('paging and sorting', () => {
  it('only inserts live rows on the newest-first first page', () => {
    expect(liveInsertable(sortingFrom(new URLSearchParams('')), 0)).toBe(true)
    expect(liveInsertable(sortingFrom(new URLSearchParams('')), 50)).toBe(false)
    expect(liveInsertable(sortingFrom(new URLSearchParams('sort=cost_usd')), 0)).toBe(false)
    expect(liveInsertable(sortingFrom(new URLSearchParams('order=asc')), 0)).toBe(false)
  })

  it('sends only the filters that are set', () => {
    expect(queryFor(f('model=x&q=%20'), { sort: 'started_at', order: 'desc' }, 50)).toEqual({
      limit: 50,
      offset: 50,
      sort: 'started_at',
      order: 'desc',
      model: 'x',
    })
  })
})
