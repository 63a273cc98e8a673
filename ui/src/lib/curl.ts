// "Copy as curl": the stored request replayed against this proxy. Only the body, the path of
// the API the client spoke, and Switchyard's own headers are used; no key is ever included
// (Switchyard ignores client keys unless it is told to require them).

const PATHS: Record<string, string> = {
  chat_completions: '/v1/chat/completions',
  completions: '/v1/completions',
  embeddings: '/v1/embeddings',
  messages: '/v1/messages',
  count_tokens: '/v1/messages/count_tokens',
  responses: '/v1/responses',
}

/** Quotes a string for a POSIX shell. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`
}

/** `http://127.0.0.1:4545/v1` → `http://127.0.0.1:4545`. */
export function proxyRoot(proxyUrl: string): string {
  return proxyUrl.replace(/\/+$/, '').replace(/\/v1$/, '')
}

export type CurlInput = {
  proxyUrl: string
  inboundApi: string
  body: string | null
  stream?: boolean
  tags?: [string, string][]
}

export function buildCurl(input: CurlInput): string {
  const path = PATHS[input.inboundApi] ?? '/v1/chat/completions'
  const lines = [`curl ${input.stream ? '-N ' : ''}${shellQuote(proxyRoot(input.proxyUrl) + path)}`]
  lines.push(`-H ${shellQuote('Content-Type: application/json')}`)
  if (input.inboundApi === 'messages' || input.inboundApi === 'count_tokens') {
    lines.push(`-H ${shellQuote('anthropic-version: 2023-06-01')}`)
  }
  if (input.tags && input.tags.length) {
    lines.push(`-H ${shellQuote('x-switchyard-tags: ' + input.tags.map(([k, v]) => `${k}=${v}`).join(','))}`)
  }
  if (input.body !== null && input.body !== '') lines.push(`--data-raw ${shellQuote(input.body)}`)
  return lines.join(' \\\n  ')
}
