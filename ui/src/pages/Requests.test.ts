import { render, screen, within } from '@testing-library/svelte'
import { tick } from 'svelte'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { signIn } from '../api/session.svelte'
import type { RequestRow } from '../api/types'
import Requests from './Requests.svelte'

// Live rows are handed to the page through this listener instead of a real event stream.
const liveListeners: ((row: RequestRow) => void)[] = []
vi.mock('../lib/live.svelte', () => ({
  live: { state: 'live', detail: null },
  onMissed: () => () => {},
  onRequest: (listener: (row: RequestRow) => void) => {
    liveListeners.push(listener)
    return () => liveListeners.splice(liveListeners.indexOf(listener), 1)
  },
}))

function row(id: string, extra: Partial<RequestRow> = {}): RequestRow {
  return {
    id,
    started_at: new Date().toISOString(),
    client: 'openai-node',
    inbound_api: 'chat_completions',
    requested_model: 'coder',
    provider: 'mock',
    upstream_model: 'gpt-4.1',
    status: 200,
    outcome: 'ok',
    stream: false,
    attempts: 1,
    input_tokens: 12,
    cached_input_tokens: 0,
    cache_write_tokens: 0,
    output_tokens: 7,
    reasoning_tokens: 0,
    usage_estimated: false,
    cost_usd: 0.000034,
    price_source: 'config:mock/gpt-4.1',
    latency_ms: 420,
    ttft_ms: null,
    tags: {},
    error: null,
    user_agent: null,
    ...extra,
  } as RequestRow
}

function serve(listing: { items: RequestRow[]; total: number }) {
  const fetchMock = vi.fn(async (url: string | URL | Request) => {
    const path = String(url)
    if (path.startsWith('/api/requests')) return new Response(JSON.stringify(listing), { status: 200 })
    return new Response(JSON.stringify({ error: { message: `unexpected ${path}` } }), { status: 404 })
  })
  vi.stubGlobal('fetch', fetchMock)
  return fetchMock
}

beforeEach(() => {
  signIn('test-token')
  window.location.hash = '#/requests'
})
afterEach(() => {
  vi.unstubAllGlobals()
  liveListeners.length = 0
})

describe('Requests page', () => {
  it('renders the rows the API lists, with costs, unpriced dashes and estimates', async () => {
    const fetchMock = serve({
      items: [
        row('r-1'),
        row('r-2', { cost_usd: null, requested_model: 'local/llama', upstream_model: 'llama' }),
        row('r-3', { cost_usd: 0.0123, usage_estimated: true, status: 503, outcome: 'upstream_error' }),
      ],
      total: 3,
    })
    render(Requests)
    const table = await screen.findByTestId('requests-table')
    const rows = within(table).getAllByTestId('request-row')
    expect(rows.map((r) => r.dataset.id)).toEqual(['r-1', 'r-2', 'r-3'])
    const costs = within(table).getAllByTestId('request-cost').map((c) => c.textContent?.replace(/\s+/g, ' ').trim())
    expect(costs).toEqual(['$0.000034', '—', '$0.0123est.'])
    expect(within(rows[2]).getByText(/503/)).toBeTruthy()
    expect(screen.getByTestId('requests-total').textContent).toContain('3 requests')
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toContain('/api/requests?limit=50&offset=0&sort=started_at&order=desc')
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer test-token')
  })

  it('says what to do next when there are no requests yet', async () => {
    serve({ items: [], total: 0 })
    render(Requests)
    const empty = await screen.findByTestId('requests-empty')
    expect(empty.textContent).toContain('No requests yet')
    expect(within(empty).getByTestId('empty-proxy-url').textContent).toMatch(/\/v1$/)
    expect(within(empty).getByRole('link', { name: /set up a client/i }).getAttribute('href')).toBe('#/connect')
  })

  it('shows a request as soon as it arrives live', async () => {
    serve({ items: [row('old')], total: 1 })
    render(Requests)
    await screen.findByTestId('requests-table')
    expect(liveListeners.length).toBe(1)
    liveListeners[0](row('new', { cost_usd: 0.5 }))
    await tick()
    const ids = screen.getAllByTestId('request-row').map((r) => r.dataset.id)
    expect(ids).toEqual(['new', 'old'])
    expect(screen.getByTestId('requests-total').textContent).toContain('2 requests')
  })

  it('shows the API error where the list would be', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(JSON.stringify({ error: { message: "status 'bogus' is not a status code", param: 'status' } }), { status: 400 })),
    )
    render(Requests)
    const notice = await screen.findByTestId('error-notice')
    expect(notice.textContent).toContain("status 'bogus' is not a status code")
  })
})
