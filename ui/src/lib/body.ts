// Stored request and response bodies, made readable: JSON pretty-printed, SSE streams and
// anything else (a truncated body, plain text) shown as they were.

export type ShownBody = { kind: 'json' | 'sse' | 'text'; text: string }

export function looksLikeSse(text: string): boolean {
  return /^(data|event|id|retry):/m.test(text.trimStart().slice(0, 200)) || text.trimStart().startsWith(':')
}

export function showBody(raw: string): ShownBody {
  const trimmed = raw.trim()
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return { kind: 'json', text: JSON.stringify(JSON.parse(trimmed), null, 2) }
    } catch {
      // Not whole JSON (e.g. truncated at the storage limit): show it as it is.
    }
  }
  if (looksLikeSse(raw)) return { kind: 'sse', text: raw.replace(/\r\n/g, '\n') }
  return { kind: 'text', text: raw }
}
