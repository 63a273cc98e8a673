import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError, call, download, fieldError, parseError, withQuery } from './client'
import { session, signIn } from './session.svelte'

function respond(status: number, body: string, headers: Record<string, string> = {}) {
  return vi.fn(async () => new Response(status === 204 ? null : body, { status, headers }))
}

afterEach(() => vi.unstubAllGlobals())

describe('parseError', () => {
  it('reads the OpenAI error shape, param included', () => {
    const error = parseError(
      400,
      'Bad Request',
      JSON.stringify({ error: { message: 'base_url must start with http', type: 'invalid_request_error', param: 'base_url', code: null } }),
    )
    expect(error).toBeInstanceOf(ApiError)
    expect(error.status).toBe(400)
    expect(error.message).toBe('base_url must start with http')
    expect(error.type).toBe('invalid_request_error')
    expect(error.param).toBe('base_url')
    expect(error.code).toBeNull()
    expect(error.for('base_url')).toBe('base_url must start with http')
    expect(error.for('id')).toBeNull()
  })

  it('matches a field named inside a path', () => {
    const error = parseError(400, '', JSON.stringify({ error: { message: 'no', param: 'providers[1].base_url' } }))
    expect(fieldError(error, 'base_url')).toBe('no')
  })

  it('still gives a readable message for bodies that are not the OpenAI shape', () => {
    expect(parseError(502, 'Bad Gateway', 'upstream down').message).toBe('HTTP 502 Bad Gateway: upstream down')
    expect(parseError(500, '', '').message).toBe('HTTP 500')
    expect(parseError(400, '', '{"error":"plain"}').message).toBe('plain')
  })
})

describe('call', () => {
  it('sends the admin token and JSON, and parses the answer', async () => {
    signIn('tok-1')
    const fetchMock = respond(200, '{"ok":true}')
    vi.stubGlobal('fetch', fetchMock)
    const result = await call<{ ok: boolean }>('PUT', '/api/routes/coder', { body: { targets: ['a/b'] } })
    expect(result).toEqual({ ok: true })
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/api/routes/coder')
    const headers = init.headers as Record<string, string>
    expect(headers.Authorization).toBe('Bearer tok-1')
    expect(headers['Content-Type']).toBe('application/json')
    expect(init.body).toBe('{"targets":["a/b"]}')
  })

  it('resolves 204 to undefined', async () => {
    signIn('tok')
    vi.stubGlobal('fetch', respond(204, ''))
    await expect(call('DELETE', '/api/routes/x')).resolves.toBeUndefined()
  })

  it('throws the server error with its param', async () => {
    signIn('tok')
    vi.stubGlobal('fetch', respond(400, JSON.stringify({ error: { message: 'unknown provider nope', type: 'invalid_request_error', param: 'targets', code: null } })))
    const error = (await call('PUT', '/api/routes/x', { body: {} }).catch((e: unknown) => e)) as ApiError
    expect(error).toBeInstanceOf(ApiError)
    expect(error.param).toBe('targets')
    expect(error.message).toBe('unknown provider nope')
  })

  it('ends the session on a 401 so the token page shows why', async () => {
    signIn('stale')
    vi.stubGlobal('fetch', respond(401, JSON.stringify({ error: { message: 'The admin API needs a token', type: 'authentication_error', param: null, code: null } })))
    await expect(call('GET', '/api/status')).rejects.toBeInstanceOf(ApiError)
    expect(session.token).toBeNull()
    expect(session.reason).toBe('The admin API needs a token')
  })

  it('explains a gateway that cannot be reached', async () => {
    signIn('tok')
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))))
    const error = (await call('GET', '/api/status').catch((e: unknown) => e)) as ApiError
    expect(error).toBeInstanceOf(ApiError)
    expect(error.status).toBe(0)
    expect(error.message).toMatch(/Cannot reach Switchyard/)
  })

  it('downloads CSV with the server-suggested file name', async () => {
    signIn('tok')
    vi.stubGlobal('fetch', respond(200, 'a,b\n1,2\n', { 'content-disposition': 'attachment; filename="requests.csv"' }))
    const { blob, filename } = await download('/api/requests', { format: 'csv' }, 'fallback.csv')
    expect(filename).toBe('requests.csv')
    expect(await blob.text()).toBe('a,b\n1,2\n')
  })

  it('leaves empty query values out', () => {
    expect(withQuery('/api/requests', { model: 'gpt', q: '', since: undefined, limit: 50 })).toBe('/api/requests?model=gpt&limit=50')
    expect(withQuery('/api/x', {})).toBe('/api/x')
  })
})
