import { describe, expect, it } from 'vitest'
import { clientSetups, connectionLabel } from './clients'

describe('client setups', () => {
  const setups = clientSetups('http://127.0.0.1:4545/v1', 'coder')
  const code = (id: string) => setups.find((s) => s.id === id)!.snippets.map((s) => s.code).join('\n')

  it('covers every client the README lists', () => {
    expect(setups.map((s) => s.id)).toEqual([
      'claude-code',
      'codex',
      'gemini-cli',
      'opencode',
      'continue',
      'cline',
      'zed',
      'aider',
      'openai-python',
      'anthropic-python',
      'curl',
    ])
  })

  it('gives Anthropic-format clients the root URL and OpenAI-format clients the /v1 URL', () => {
    expect(code('claude-code')).toContain('ANTHROPIC_BASE_URL=http://127.0.0.1:4545 ')
    expect(code('anthropic-python')).toContain('Anthropic(base_url="http://127.0.0.1:4545"')
    expect(code('openai-python')).toContain('OpenAI(base_url="http://127.0.0.1:4545/v1"')
    expect(code('codex')).toContain('base_url = "http://127.0.0.1:4545/v1"')
    expect(code('codex')).toContain('wire_api = "responses"')
    expect(code('continue')).toContain('apiBase: http://127.0.0.1:4545/v1/')
    expect(code('aider')).toContain('--openai-api-base http://127.0.0.1:4545/v1 ')
    expect(code('zed')).toContain('"api_url": "http://127.0.0.1:4545/v1"')
    expect(code('curl')).toContain('curl http://127.0.0.1:4545/v1/chat/completions')
    expect(code('gemini-cli')).toContain('GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:4545 ')
    expect(JSON.parse(code('opencode')).provider.switchyard.options.baseURL).toBe(
      'http://127.0.0.1:4545/v1',
    )
  })

  it('fills in the chosen model', () => {
    expect(code('aider')).toContain('--model openai/coder')
    expect(code('codex')).toContain('model = "coder"')
    expect(JSON.parse(code('zed')).language_models.openai_compatible.Switchyard.available_models[0].name).toBe('coder')
  })
})

describe('connectionLabel', () => {
  it('names the keys changed since connect', () => {
    expect(connectionLabel({ state: 'connected', changed_keys: [] })).toBe('Connected')
    expect(connectionLabel({ state: 'not_connected', changed_keys: [] })).toBe('Not connected')
    expect(connectionLabel({ state: 'changed_since', changed_keys: ['env.ANTHROPIC_MODEL'] })).toBe(
      'Connected, changed since: env.ANTHROPIC_MODEL',
    )
  })
})
