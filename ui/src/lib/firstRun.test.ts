import { beforeEach, describe, expect, it } from 'vitest'
import type { ProviderView } from '../api/types'
import { firstRunSteps, markKeyTested } from './firstRun'

const provider = (id: string, source: string): ProviderView => ({
  id,
  kind: 'openai',
  base_url: 'https://api.openai.com/v1',
  key_env: 'OPENAI_API_KEY',
  models: [],
  headers: {},
  key: { source, last_four: null, hint: null },
})

describe('firstRunSteps', () => {
  beforeEach(() => localStorage.clear())

  it('starts with nothing done when the only provider has no key', () => {
    const steps = firstRunSteps({ providers: [provider('openai', 'missing')], connect: null, answered: false, requested: false })
    expect(steps.map((s) => [s.id, s.done])).toEqual([
      ['key', false],
      ['test', false],
      ['connect', false],
    ])
    expect(steps[0].detail).toContain('No provider has a key yet')
  })

  it('counts a key from the keychain, a passed test and a connected client, each on its own', () => {
    markKeyTested('openai')
    const connect = { clients: [{ client: 'codex', name: 'Codex', found: null, files: [], state: 'connected', changed_keys: [] }] } as never
    const steps = firstRunSteps({ providers: [provider('openai', 'keychain')], connect, answered: false, requested: false })
    expect(steps.every((s) => s.done)).toBe(true)
    expect(steps[0].detail).toBe('openai has a key.')
  })

  it('takes a test of a provider that has no key for nothing', () => {
    markKeyTested('other')
    const steps = firstRunSteps({ providers: [provider('openai', 'env:OPENAI_API_KEY')], connect: null, answered: false, requested: false })
    expect(steps[1].done).toBe(false)
  })

  it('takes answered requests as a tested key and a connected client', () => {
    const steps = firstRunSteps({ providers: [provider('ollama', 'none-needed')], connect: null, answered: true, requested: true })
    expect(steps.every((s) => s.done)).toBe(true)
  })
})
