// The one place that talks HTTP to the gateway. Every call carries the admin token, every
// failure becomes an ApiError (with the `param` the server blamed, so a form can show the
// message next to that field), and a 401 ends the session so the token page is shown.

import { session, signOut } from './session.svelte'

/** An error as the gateway reports it: OpenAI's `{error: {message, type, param, code}}`. */
export class ApiError extends Error {
  readonly status: number
  readonly type: string | null
  readonly param: string | null
  readonly code: string | null

  constructor(
    message: string,
    status: number,
    type: string | null = null,
    param: string | null = null,
    code: string | null = null,
  ) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.type = type
    this.param = param
    this.code = code
  }

  /** The message for a form field, when this error names it (`base_url` also matches a
   * `providers[2].base_url`-style path). */
  for(field: string): string | null {
    return paramMatches(this.param, field) ? this.message : null
  }
}

export function paramMatches(param: string | null, field: string): boolean {
  if (!param) return false
  return param === field || param.endsWith('.' + field) || param.startsWith(field + '[') || param.startsWith(field + '.')
}

/** The message of `error` when it is an ApiError naming `field`. */
export function fieldError(error: unknown, field: string): string | null {
  return error instanceof ApiError ? error.for(field) : null
}

/** Whether `error` names one of `fields` (so it is shown next to a field, not on top). */
export function namesAField(error: unknown, fields: string[]): boolean {
  return error instanceof ApiError && fields.some((f) => paramMatches(error.param, f))
}

function text(value: unknown): string | null {
  if (typeof value === 'string' && value !== '') return value
  if (typeof value === 'number') return String(value)
  return null
}

/** Turns an error answer's body into an ApiError; bodies that are not the OpenAI shape still
 * give a readable message. */
export function parseError(status: number, statusText: string, body: string): ApiError {
  try {
    const json = JSON.parse(body) as unknown
    const error = (json as { error?: unknown } | null)?.error
    if (error && typeof error === 'object') {
      const e = error as Record<string, unknown>
      return new ApiError(
        text(e.message) ?? `HTTP ${status} ${statusText}`.trim(),
        status,
        text(e.type),
        text(e.param),
        text(e.code),
      )
    }
    if (typeof error === 'string') return new ApiError(error, status)
  } catch {
    // Not JSON: fall through to the raw text.
  }
  const trimmed = body.trim()
  const fallback = `HTTP ${status}${statusText ? ' ' + statusText : ''}`
  return new ApiError(trimmed && trimmed.length < 500 ? `${fallback}: ${trimmed}` : fallback, status)
}

export type Query = Record<string, string | number | boolean | null | undefined>

/** `path?k=v…`, leaving out empty values. */
export function withQuery(path: string, query?: Query): string {
  if (!query) return path
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === null || value === undefined || value === '') continue
    params.set(key, String(value))
  }
  const qs = params.toString()
  return qs ? `${path}?${qs}` : path
}

export function authHeaders(): Record<string, string> {
  return session.token ? { Authorization: `Bearer ${session.token}` } : {}
}

/** fetch with the token; network failures and error statuses become ApiErrors. */
export async function send(
  method: string,
  path: string,
  options: { query?: Query; body?: unknown; signal?: AbortSignal; accept?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = { Accept: options.accept ?? 'application/json', ...authHeaders() }
  let body: string | undefined
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(options.body)
  }
  let response: Response
  try {
    response = await fetch(withQuery(path, options.query), { method, headers, body, signal: options.signal })
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause
    throw new ApiError(
      'Cannot reach Switchyard. Is `switchyard serve` (or the desktop app) still running?',
      0,
      'network_error',
    )
  }
  if (!response.ok) {
    const error = parseError(response.status, response.statusText, await response.text().catch(() => ''))
    if (response.status === 401) signOut(error.message)
    throw error
  }
  return response
}

/** A JSON call; 204 answers resolve to undefined. */
export async function call<T>(
  method: string,
  path: string,
  options: { query?: Query; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  const response = await send(method, path, options)
  if (response.status === 204) return undefined as T
  const raw = await response.text()
  if (!raw) return undefined as T
  try {
    return JSON.parse(raw) as T
  } catch {
    throw new ApiError(`The gateway answered ${path} with something that is not JSON.`, response.status)
  }
}

/** A file answer (CSV export): its bytes and the name the server suggests. */
export async function download(path: string, query: Query, fallbackName: string): Promise<{ blob: Blob; filename: string }> {
  const response = await send('GET', path, { query, accept: 'text/csv' })
  const disposition = response.headers.get('content-disposition') ?? ''
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)
  return { blob: await response.blob(), filename: match ? decodeURIComponent(match[1]) : fallbackName }
}
