// Each page rendered against realistic API answers: it shows what the API said, and calls
// the API the way the gateway expects.
import { fireEvent, render, screen, within } from '@testing-library/svelte'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { signIn } from '../api/session.svelte'
import * as fx from '../test/fixtures'
import Overview from './Overview.svelte'
import Prices from './Prices.svelte'
import Providers from './Providers.svelte'
import Routes from './Routes.svelte'
import Settings from './Settings.svelte'

vi.mock('../lib/live.svelte', () => ({
  live: { state: 'live', detail: null },
  onRequest: () => () => {},
  onMissed: () => () => {},
}))

type Call = { method: string; path: string; body: unknown }
let calls: Call[] = []

function serve(extra: Record<string, (body: unknown) => [number, unknown]> = {}) {
  const answers: Record<string, unknown> = {
    'GET /api/overview': fx.overview,
    'GET /api/budgets': fx.budgets,
    'GET /api/requests': fx.listing,
    'GET /api/status': fx.status,
    'GET /api/providers': fx.providers,
    'GET /api/provider-kinds': fx.kinds,
    'GET /api/routes': fx.routes,
    'GET /api/prices': fx.prices,
    'GET /api/settings': fx.settings,
  }
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit = {}) => {
      const method = init.method ?? 'GET'
      const path = String(url).split('?')[0]
      const body = init.body ? JSON.parse(String(init.body)) : undefined
      calls.push({ method, path, body })
      const key = `${method} ${path}`
      if (extra[key]) {
        const [status, answer] = extra[key](body)
        return new Response(status === 204 ? null : JSON.stringify(answer), { status })
      }
      if (key in answers) return new Response(JSON.stringify(answers[key]), { status: 200 })
      return new Response(JSON.stringify({ error: { message: `no fixture for ${key}`, type: 'not_found', param: null, code: null } }), { status: 404 })
    }),
  )
}

beforeEach(() => {
  calls = []
  signIn('t')
})
afterEach(() => vi.unstubAllGlobals())

describe('Overview', () => {
  it('shows spend, errors, budgets and the top models', async () => {
    serve()
    render(Overview)
    expect((await screen.findByTestId('stat-today')).textContent).toContain('$0.42')
    expect(screen.getByTestId('stat-30d').textContent).toContain('1 without a price')
    expect(screen.getByTestId('stat-errors').textContent).toContain('5%')
    expect(screen.getByTestId('budget-bars').textContent).toContain('$0.42 of $10.00')
    expect(within(screen.getByTestId('overview-top-models')).getByRole('link', { name: 'coder' }).getAttribute('href')).toBe('#/requests?model=coder')
    expect(screen.getByTestId('overview-top-clients').textContent).toContain('$7.25')
    expect(screen.queryByTestId('first-run'), 'a key works and requests arrive: no first-run steps').toBeNull()
  })

  it('leads a first run through three steps while no provider has a key', async () => {
    const none = { ...fx.providers, providers: fx.providers.providers.filter((p) => p.key.source === 'missing') }
    const quiet = { ...fx.overview, last_30_days: { ...fx.overview.last_30_days, requests: 0, errors: 0 } }
    serve({
      'GET /api/providers': () => [200, none],
      'GET /api/overview': () => [200, quiet],
      'GET /api/connect': () => [200, { clients: [] }],
    })
    render(Overview)
    const steps = await screen.findByTestId('first-run')
    expect(['key', 'test', 'connect'].map((id) => within(steps).getByTestId(`first-run-${id}`).dataset.done)).toEqual(['false', 'false', 'false'])
    expect(steps.textContent).toContain('No provider has a key yet')
    expect(within(steps).getByRole('link', { name: 'Add a key' }).getAttribute('href')).toBe('#/providers')
  })
})

describe('Providers', () => {
  it('shows where each key comes from, never more than its last four characters', async () => {
    serve()
    render(Providers)
    const openai = await screen.findByTestId('key-panel-openai')
    expect(within(openai).getByTestId('key-source').textContent).toBe('Environment $OPENAI_API_KEY')
    expect(within(openai).getByTestId('key-last-four').textContent).toBe('••••x9Yz')
    const ollama = screen.getByTestId('key-panel-ollama')
    expect(within(ollama).getByTestId('key-source').textContent).toBe('No key')
    expect(ollama.textContent).toContain('Set OLLAMA_KEY or store a key')
  })

  it('explains a machine without a keychain and offers no key field', async () => {
    serve()
    render(Providers)
    expect((await screen.findByTestId('no-keychain')).textContent).toContain('key variable')
    expect(screen.queryByTestId('key-set-open')).toBeNull()
  })

  it('shows the test result in the provider’s own words', async () => {
    serve({ 'POST /api/providers/openai/key/test': () => [200, { ok: false, status: 401, message: 'Incorrect API key provided', source: 'env:OPENAI_API_KEY' }] })
    render(Providers)
    const panel = await screen.findByTestId('key-panel-openai')
    await fireEvent.click(within(panel).getByTestId('key-test'))
    expect((await within(panel).findByTestId('key-test-result')).textContent).toContain('HTTP 401: Incorrect API key provided')
  })
})

describe('Routes', () => {
  it('reorders targets and saves them in the order tried', async () => {
    serve({ 'PUT /api/routes/coder': (body) => [200, { alias: 'coder', ...(body as object) }] })
    render(Routes)
    await fireEvent.click(await screen.findByTestId('route-edit'))
    await fireEvent.click(screen.getByRole('button', { name: 'Move ollama/qwen up' }))
    await fireEvent.change(screen.getByTestId('route-strategy'), { target: { value: 'cheapest' } })
    await fireEvent.submit(screen.getByTestId('route-form'))
    await vi.waitFor(() => expect(calls.some((c) => c.method === 'PUT')).toBe(true))
    expect(calls.find((c) => c.method === 'PUT')).toEqual({
      method: 'PUT',
      path: '/api/routes/coder',
      body: { targets: ['ollama/qwen', 'openai/gpt-4.1'], strategy: 'cheapest' },
    })
  })

  it('shows a refused target next to the targets', async () => {
    serve({ 'PUT /api/routes/coder': () => [400, { error: { message: "targets: unknown provider 'nope'", type: 'invalid_request_error', param: 'targets', code: null } }] })
    render(Routes)
    await fireEvent.click(await screen.findByTestId('route-edit'))
    await fireEvent.submit(screen.getByTestId('route-form'))
    expect((await screen.findByTestId('field-error-targets')).textContent).toContain("unknown provider 'nope'")
  })
})

describe('Prices', () => {
  it('lists the models in use with their source, and unpriced ones plainly', async () => {
    serve()
    render(Prices)
    const rows = await screen.findAllByTestId('price-row')
    expect(rows.map((r) => r.dataset.model)).toEqual(['openai/gpt-4.1', 'ollama/qwen'])
    expect(rows[1].textContent).toContain('unpriced')
    await fireEvent.click(screen.getByTestId('price-show-all'))
    expect(screen.getAllByTestId('price-row')).toHaveLength(3)
  })

  it('flags prices from a built-in table last checked more than 90 days ago, and shows its date', async () => {
    serve()
    render(Prices)
    const rows = await screen.findAllByTestId('price-row')
    expect(rows[0].querySelector('[data-testid=price-stale]')).not.toBeNull()
    expect(rows[1].querySelector('[data-testid=price-stale]')).toBeNull()
    expect(screen.getByTestId('builtin-checked').textContent).toContain('last checked against the providers\' prices on 2026-08-25')
    expect(screen.getByTestId('builtin-stale')).toBeTruthy()
  })
})

describe('Settings', () => {
  it('sends every field (retention by age and by size too), and no [budgets] when no limit is set', async () => {
    serve({ 'PUT /api/settings': (body) => [200, body] })
    render(Settings)
    const retention = (await screen.findByTestId('settings-retention')) as HTMLInputElement
    await fireEvent.input(retention, { target: { value: '14' } })
    await fireEvent.input(screen.getByTestId('settings-retention-size'), { target: { value: '512' } })
    await fireEvent.submit(screen.getByTestId('settings-form'))
    await screen.findByTestId('settings-saved')
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({
      ...fx.settings,
      retention_days: 14,
      retention_max_mb: 512,
      budgets: null,
    })
  })

  it('sends the budget limits and shows a restart notice for a new address', async () => {
    serve({ 'PUT /api/settings': (body) => [200, { ...(body as object), restart_required: true }] })
    render(Settings)
    await fireEvent.input(await screen.findByTestId('settings-listen'), { target: { value: '127.0.0.1:8080' } })
    await fireEvent.input(screen.getByTestId('settings-daily'), { target: { value: '5' } })
    await fireEvent.change(screen.getByTestId('settings-action'), { target: { value: 'block' } })
    await fireEvent.submit(screen.getByTestId('settings-form'))
    await screen.findByTestId('restart-required')
    expect((calls.find((c) => c.method === 'PUT')?.body as { budgets: unknown }).budgets).toEqual({ daily_usd: 5, monthly_usd: null, action: 'block' })
  })

  it('issues a client key, shows the whole key once, and lists only its last four characters', async () => {
    const view = { id: 'ck_1', name: 'alice', last_four: 'f00d', created_at: '2026-12-01T10:00:00Z', last_used_at: null, revoked_at: null }
    let listed: unknown[] = []
    serve({
      'GET /api/client-keys': () => [200, { keys: listed }],
      'POST /api/client-keys': (body) => {
        listed = [view]
        return [201, { ...view, name: (body as { name: string }).name, key: 'sy-0123456789abcdef0123f00d' }]
      },
    })
    render(Settings)
    await fireEvent.input(await screen.findByTestId('client-key-name'), { target: { value: 'alice' } })
    await fireEvent.click(screen.getByTestId('client-key-issue'))
    expect((await screen.findByTestId('client-key-value')).textContent).toBe('sy-0123456789abcdef0123f00d')
    const row = await screen.findByTestId('client-key-row')
    expect(row.textContent).toContain('…f00d')
    expect(row.textContent).not.toContain('0123456789abcdef')
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ name: 'alice' })
  })
})
