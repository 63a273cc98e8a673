// Live history: `GET /api/events` is a server-sent event stream that needs the Authorization
// header, which EventSource cannot send, so it is read with fetch and parsed here. The stream
// reconnects with a growing delay (1 s doubling to 30 s) and resets the delay once connected.

import { ApiError, authHeaders, parseError } from './client'
import { signOut } from './session.svelte'
import type { RequestRow } from './types'

export type SseEvent = { event: string; data: string; id: string | null }

/** Incremental SSE parser: feed it text as it arrives, get back the complete events. */
export class SseParser {
  private buffer = ''
  private event = ''
  private data: string[] = []
  private id: string | null = null

  feed(chunk: string): SseEvent[] {
    this.buffer += chunk
    const events: SseEvent[] = []
    let newline: number
    while ((newline = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.buffer.slice(0, newline)
      const width = this.buffer.startsWith('\r\n', newline) ? 2 : 1
      // A lone \r at the very end may be the first half of \r\n: wait for more.
      if (width === 1 && this.buffer[newline] === '\r' && newline === this.buffer.length - 1) break
      this.buffer = this.buffer.slice(newline + width)
      if (line === '') {
        if (this.data.length) events.push({ event: this.event || 'message', data: this.data.join('\n'), id: this.id })
        this.event = ''
        this.data = []
        continue
      }
      if (line.startsWith(':')) continue
      const colon = line.indexOf(':')
      const field = colon >= 0 ? line.slice(0, colon) : line
      let value = colon >= 0 ? line.slice(colon + 1) : ''
      if (value.startsWith(' ')) value = value.slice(1)
      if (field === 'event') this.event = value
      else if (field === 'data') this.data.push(value)
      else if (field === 'id') this.id = value
    }
    return events
  }
}

export type LiveState = 'connecting' | 'live' | 'retrying' | 'stopped'

export type LiveOptions = {
  onRow: (row: RequestRow) => void
  /** The server dropped events for this listener (`event: lagged`): reload what is shown. */
  onLagged?: () => void
  onState?: (state: LiveState, detail?: string) => void
  fetchImpl?: typeof fetch
  minDelayMs?: number
  maxDelayMs?: number
}

/** Follows `/api/events` until the returned function is called. */
export function followRequests(options: LiveOptions): () => void {
  const fetchImpl = options.fetchImpl ?? fetch.bind(globalThis)
  const minDelay = options.minDelayMs ?? 1000
  const maxDelay = options.maxDelayMs ?? 30_000
  const controller = new AbortController()
  let delay = minDelay
  let reconnecting = false
  let timer: ReturnType<typeof setTimeout> | undefined

  const report = (state: LiveState, detail?: string) => options.onState?.(state, detail)

  async function connect(): Promise<void> {
    report('connecting')
    try {
      const response = await fetchImpl('/api/events', {
        headers: { Accept: 'text/event-stream', ...authHeaders() },
        signal: controller.signal,
        cache: 'no-store',
      })
      if (!response.ok) {
        const error = parseError(response.status, response.statusText, await response.text().catch(() => ''))
        if (response.status === 401) {
          signOut(error.message)
          report('stopped', error.message)
          return
        }
        throw error
      }
      if (!response.body) throw new ApiError('The event stream has no body.', response.status)
      report('live')
      // Rows may have been missed while disconnected: a reconnect counts as falling behind.
      if (delay !== minDelay || reconnecting) options.onLagged?.()
      reconnecting = false
      delay = minDelay
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
      const parser = new SseParser()
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        for (const event of parser.feed(value)) {
          if (event.event === 'lagged') {
            options.onLagged?.()
            continue
          }
          if (event.event !== 'request') continue
          try {
            options.onRow(JSON.parse(event.data) as RequestRow)
          } catch {
            // A malformed event is skipped; the next one may be fine.
          }
        }
      }
      throw new ApiError('The event stream ended.', 0)
    } catch (error) {
      if (controller.signal.aborted) return
      const message = error instanceof Error ? error.message : String(error)
      report('retrying', message)
      reconnecting = true
      timer = setTimeout(connect, delay)
      delay = Math.min(delay * 2, maxDelay)
    }
  }

  void connect()
  return () => {
    controller.abort()
    if (timer) clearTimeout(timer)
    report('stopped')
  }
}
