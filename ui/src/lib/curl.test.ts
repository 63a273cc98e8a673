import { describe, expect, it } from 'vitest'
import { buildCurl, proxyRoot, shellQuote } from './curl'

describe('buildCurl', () => {
  const body = '{"model":"coder","messages":[{"role":"user","content":"it\'s here"}]}'

  it('replays a chat request against this proxy with the stored body', () => {
    const curl = buildCurl({ proxyUrl: 'http://127.0.0.1:4545/v1', inboundApi: 'chat_completions', body })
    expect(curl).toBe(
      [
        "curl 'http://127.0.0.1:4545/v1/chat/completions'",
        "-H 'Content-Type: application/json'",
        `--data-raw '{"model":"coder","messages":[{"role":"user","content":"it'\\''s here"}]}'`,
      ].join(' \\\n  '),
    )
  })

  it('uses the path of the API the client spoke, and the Anthropic version for messages', () => {
    const curl = buildCurl({ proxyUrl: 'http://127.0.0.1:9/v1/', inboundApi: 'messages', body: '{}' })
    expect(curl).toContain("'http://127.0.0.1:9/v1/messages'")
    expect(curl).toContain("-H 'anthropic-version: 2023-06-01'")
    expect(buildCurl({ proxyUrl: 'http://h/v1', inboundApi: 'responses', body: '{}' })).toContain("'http://h/v1/responses'")
    expect(buildCurl({ proxyUrl: 'http://h/v1', inboundApi: 'embeddings', body: '{}' })).toContain("'http://h/v1/embeddings'")
  })

  it('streams without buffering and keeps the tags', () => {
    const curl = buildCurl({
      proxyUrl: 'http://h/v1',
      inboundApi: 'chat_completions',
      body: '{}',
      stream: true,
      tags: [
        ['project', 'web'],
        ['team', 'infra'],
      ],
    })
    expect(curl.startsWith("curl -N 'http://h/v1/chat/completions'")).toBe(true)
    expect(curl).toContain("-H 'x-switchyard-tags: project=web,team=infra'")
  })

  it('never carries a key', () => {
    const curl = buildCurl({ proxyUrl: 'http://h/v1', inboundApi: 'chat_completions', body: '{}' })
    expect(curl.toLowerCase()).not.toContain('authorization')
    expect(curl.toLowerCase()).not.toContain('x-api-key')
  })

  it('quotes for a POSIX shell', () => {
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`)
    expect(shellQuote('$HOME `x`')).toBe("'$HOME `x`'")
    expect(proxyRoot('http://h:1/v1')).toBe('http://h:1')
  })
})
