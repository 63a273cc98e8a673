import { fireEvent, render, screen } from '@testing-library/svelte'
import { describe, expect, it, vi } from 'vitest'
import { ApiError } from '../api/client'
import type { ProviderInput, ProviderKindInfo } from '../api/types'
import ProviderForm from './ProviderForm.svelte'

const kinds: ProviderKindInfo[] = [
  { kind: 'openai', label: 'OpenAI', default_base_url: 'https://api.openai.com/v1', auth: 'bearer', presets: [] },
  {
    kind: 'openai-compatible',
    label: 'OpenAI-compatible',
    default_base_url: null,
    auth: 'bearer',
    presets: [{ id: 'groq', label: 'Groq', base_url: 'https://api.groq.com/openai/v1', key_env: 'GROQ_API_KEY', models: ['llama-3.3-70b-versatile'] }],
  },
]

describe('ProviderForm', () => {
  it('fills the form from a preset and sends exactly the fields the API takes', async () => {
    const onsave = vi.fn(async (_input: ProviderInput) => {})
    render(ProviderForm, { kinds, onsave, oncancel: () => {} })
    await fireEvent.change(screen.getByTestId('provider-preset'), { target: { value: 'openai-compatible\u0000groq' } })
    expect((screen.getByTestId('provider-id') as HTMLInputElement).value).toBe('groq')
    expect((screen.getByTestId('provider-base-url') as HTMLInputElement).value).toBe('https://api.groq.com/openai/v1')
    await fireEvent.submit(screen.getByTestId('provider-form'))
    expect(onsave).toHaveBeenCalledWith({
      id: 'groq',
      kind: 'openai-compatible',
      base_url: 'https://api.groq.com/openai/v1',
      key_env: 'GROQ_API_KEY',
      models: ['llama-3.3-70b-versatile'],
      headers: {},
    })
  })

  it('shows a refused edit next to the field the server named', async () => {
    const onsave = vi.fn(async () => {
      throw new ApiError("base_url 'not a url' is not an http(s) URL", 400, 'invalid_request_error', 'base_url')
    })
    render(ProviderForm, { kinds, onsave, oncancel: () => {} })
    await fireEvent.input(screen.getByTestId('provider-id'), { target: { value: 'broken' } })
    await fireEvent.input(screen.getByTestId('provider-base-url'), { target: { value: 'not a url' } })
    await fireEvent.submit(screen.getByTestId('provider-form'))
    const message = await screen.findByTestId('field-error-p-base-url')
    expect(message.textContent).toBe("base_url 'not a url' is not an http(s) URL")
    expect(screen.getByTestId('provider-base-url').getAttribute('aria-invalid')).toBe('true')
    expect(screen.queryByTestId('error-notice')).toBeNull()
  })

  it('shows an error that names no field above the buttons', async () => {
    const onsave = vi.fn(async () => {
      throw new ApiError('The configuration file could not be written: disk full', 500)
    })
    render(ProviderForm, { kinds, onsave, oncancel: () => {} })
    await fireEvent.input(screen.getByTestId('provider-id'), { target: { value: 'x' } })
    await fireEvent.submit(screen.getByTestId('provider-form'))
    expect((await screen.findByTestId('error-notice')).textContent).toContain('disk full')
  })

  it('keeps hidden header values as the server showed them, so they are not overwritten', async () => {
    const onsave = vi.fn(async (_input: ProviderInput) => {})
    render(ProviderForm, {
      kinds,
      existing: {
        id: 'oa',
        kind: 'openai',
        base_url: 'https://api.openai.com/v1',
        key_env: null,
        models: [],
        headers: { 'OpenAI-Organization': 'org-1', 'X-Secret-Token': '<hidden>' },
        key: { source: 'keychain', last_four: 'abcd', hint: null },
      },
      onsave,
      oncancel: () => {},
    })
    await fireEvent.submit(screen.getByTestId('provider-form'))
    expect(onsave.mock.calls[0][0].headers).toEqual({ 'OpenAI-Organization': 'org-1', 'X-Secret-Token': '<hidden>' })
  })
})
