// The first run's three steps, and whether each is done: a provider with a usable key, a key
// that passed its test (or a request that went through), and a connected client (or requests
// arriving, which show one is). The overview shows them until all three are done.

import type { ConnectStatus, ProviderView } from '../api/types'

export type Step = { id: 'key' | 'test' | 'connect'; title: string; detail: string; href: string; done: boolean }

const TESTED = 'switchyard.keyTested'

/** A key test passed for this provider: remembered in this browser (the app window has its own). */
export function markKeyTested(providerId: string): void {
  try {
    const tested = new Set<string>(JSON.parse(localStorage.getItem(TESTED) ?? '[]'))
    tested.add(providerId)
    localStorage.setItem(TESTED, JSON.stringify([...tested]))
  } catch {
    // Storage may be off (private windows): the step then waits for a request instead.
  }
}

function testedProviders(): Set<string> {
  try {
    return new Set<string>(JSON.parse(localStorage.getItem(TESTED) ?? '[]'))
  } catch {
    return new Set()
  }
}

/** A key Switchyard can use: in the keychain, in an environment variable, or none needed. */
export function hasUsableKey(p: ProviderView): boolean {
  return p.key.source !== 'missing'
}

export function firstRunSteps(input: {
  providers: ProviderView[]
  connect: ConnectStatus | null
  /** A request has been answered successfully. */
  answered: boolean
  /** Any request has arrived. */
  requested: boolean
}): Step[] {
  const usable = input.providers.filter(hasUsableKey)
  const tested = testedProviders()
  const connected = input.connect?.clients.some((c) => c.state !== 'not_connected') ?? false
  return [
    {
      id: 'key',
      title: 'Add a provider and its key',
      detail: usable.length
        ? `${usable.map((p) => p.id).join(', ')} ${usable.length === 1 ? 'has' : 'have'} a key.`
        : 'No provider has a key yet, so a client’s first request would fail. Keys go to the OS keychain.',
      href: '#/providers',
      done: usable.length > 0,
    },
    {
      id: 'test',
      title: 'Test the key',
      detail: 'Test asks the provider whether it takes the key, without spending tokens on a prompt.',
      href: '#/providers',
      done: input.answered || usable.some((p) => tested.has(p.id)),
    },
    {
      id: 'connect',
      title: 'Connect a client',
      detail: 'Point Claude Code, Codex, Gemini CLI, opencode, Aider, Continue or Zed at this proxy.',
      href: '#/connect',
      done: connected || input.requested,
    },
  ]
}
