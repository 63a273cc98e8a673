import { afterEach, describe, expect, it, vi } from 'vitest'
import { SseParser, followRequests, type LiveState } from './events'
import { signIn } from './session.svelte'

describe('SseParser', () => {
  it('assembles events split across chunks', () => {
    const parser = new SseParser()
    expect(parser.feed('event: request\nda')).toEqual([])
    expect(parser.feed('ta: {"id":"a"}\n')).toEqual([])
    expect(parser.feed('\n')).toEqual([{ event: 'request', data: '{"id":"a"}', id: null }])
  })

  it('skips keep-alive comments and joins multi-line data', () => {
    const parser = new SseParser()
    const events = parser.feed(': keep-alive\n\ndata: one\ndata: two\n\n')
    expect(events).toEqual([{ event: 'message', data: 'one\ntwo', id: null }])
  })

  it('accepts CRLF line ends, also split between chunks', () => {
    const parser = new SseParser()
    expect(parser.feed('event: request\r')).toEqual([])
    expect(parser.feed('\ndata: x\r\n\r\n')).toEqual([{ event: 'request', data: 'x', id: null }])
  })
})

describe('followRequests', () => {
  afterEach(() => vi.useRealTimers())

  it('delivers request rows and reconnects after the stream ends', async () => {
    signIn('tok')
    const encoder = new TextEncoder()
    let connections = 0
    const fetchImpl = vi.fn(async (_url: string | URL | Request, init?: RequestInit) => {
      connections += 1
      expect((init?.headers as Record<string, string>).Authorization).toBe('Bearer tok')
      const body = new ReadableStream({
        start(controller) {
          controller.enqueue(encoder.encode(`event: request\ndata: {"id":"r${connections}"}\n\n`))
          controller.close()
        },
      })
      return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } })
    }) as unknown as typeof fetch
    const rows: string[] = []
    const states: LiveState[] = []
    const stop = followRequests({
      fetchImpl,
      onRow: (row) => rows.push(row.id),
      onState: (s) => states.push(s),
      minDelayMs: 5,
      maxDelayMs: 5,
    })
    await vi.waitFor(() => expect(rows.length).toBeGreaterThanOrEqual(2), { timeout: 2000 })
    stop()
    expect(rows.slice(0, 2)).toEqual(['r1', 'r2'])
    expect(states).toContain('live')
    expect(states).toContain('retrying')
    expect(states.at(-1)).toBe('stopped')
  })
})

describe('followRequests after missed events', () => {
  it('asks for a reload on `event: lagged` and after a reconnect', async () => {
    signIn('tok')
    const encoder = new TextEncoder()
    let connections = 0
    const fetchImpl = vi.fn(async () => {
      connections += 1
      const text = connections === 1 ? 'event: lagged\ndata: {}\n\n' : ': keep-alive\n\n'
      const body = new ReadableStream({
        start(controller) {
          controller.enqueue(encoder.encode(text))
          controller.close()
        },
      })
      return new Response(body, { status: 200 })
    }) as unknown as typeof fetch
    let lagged = 0
    const stop = followRequests({ fetchImpl, onRow: () => {}, onLagged: () => lagged++, minDelayMs: 5, maxDelayMs: 5 })
    await vi.waitFor(() => expect(connections).toBeGreaterThanOrEqual(2), { timeout: 2000 })
    await vi.waitFor(() => expect(lagged).toBeGreaterThanOrEqual(2), { timeout: 2000 })
    stop()
  })
})
