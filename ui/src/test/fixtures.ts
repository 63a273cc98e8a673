// Realistic admin API answers for page tests, typed by the generated types so they cannot
// drift from what the gateway sends.
import type {
  BudgetStatus,
  Listing,
  Overview,
  PriceList,
  ProviderKinds,
  ProviderList,
  RequestRow,
  RouteList,
  Settings,
  Status,
} from '../api/types'

export const status: Status = {
  version: '0.1.0',
  listen: '127.0.0.1:4545',
  proxy_url: 'http://127.0.0.1:4545/v1',
  uptime_secs: 42,
  config_path: '/home/me/.config/switchyard/config.toml',
  paused: false,
  history: { enqueued: 3, written: 3, held: 0, trouble: null },
}

export function requestRow(id: string, extra: Partial<RequestRow> = {}): RequestRow {
  return {
    id,
    started_at: new Date().toISOString(),
    client: 'openai-python',
    inbound_api: 'chat_completions',
    requested_model: 'coder',
    provider: 'openai',
    upstream_model: 'gpt-4.1',
    status: 200,
    outcome: 'ok',
    stream: false,
    attempts: 1,
    input_tokens: 1200,
    cached_input_tokens: 0,
    cache_write_tokens: 0,
    output_tokens: 300,
    reasoning_tokens: 0,
    usage_estimated: false,
    cost_usd: 0.0048,
    price_source: 'builtin:openai/gpt-4.1 (as of 2026-04)',
    latency_ms: 1830,
    ttft_ms: 410,
    tags: { project: 'web' },
    error: null,
    user_agent: 'OpenAI/Python 1.99.0',
    cache_hit: false,
    key_last_four: 'WXYZ',
    client_key: null,
    warnings: [],
    ...extra,
  }
}

const period = (requests: number, errors: number, cost: number) => ({ since: '2026-11-01T00:00:00Z', requests, errors, cost_usd: cost, unpriced: 1 })

export const overview: Overview = {
  today: period(12, 1, 0.42),
  last_7_days: period(80, 4, 3.1),
  last_30_days: period(300, 9, 12.5),
  cost_per_day: [
    { day: new Date().toISOString().slice(0, 10), provider: 'openai', requests: 8, cost_usd: 0.3 },
    { day: new Date().toISOString().slice(0, 10), provider: 'anthropic', requests: 4, cost_usd: 0.12 },
  ],
  top_models: [{ key: 'coder', requests: 200, cost_usd: 9.5, input_tokens: 1_000_000, output_tokens: 200_000 }],
  top_clients: [{ key: 'claude-code', requests: 150, cost_usd: 7.25, input_tokens: 800_000, output_tokens: 100_000 }],
}

export const budgets: BudgetStatus = {
  action: 'warn',
  blocking: false,
  daily: { limit_usd: 10, spent_usd: 0.42, remaining_usd: 9.58, exceeded: false, resets_at: '2026-12-03T00:00:00Z' },
  monthly: { limit_usd: null, spent_usd: 12.5, remaining_usd: null, exceeded: false, resets_at: '2027-01-01T00:00:00Z' },
}

export const listing: Listing = { items: [requestRow('r-1')], total: 1, next: null }

export const providers: ProviderList = {
  keychain_available: false,
  providers: [
    {
      id: 'openai',
      kind: 'openai',
      base_url: 'https://api.openai.com/v1',
      key_env: 'OPENAI_API_KEY',
      models: ['gpt-4.1'],
      headers: {},
      key: { source: 'env:OPENAI_API_KEY', last_four: 'x9Yz', hint: null },
    },
    {
      id: 'ollama',
      kind: 'openai-compatible',
      base_url: 'http://127.0.0.1:11434/v1',
      key_env: null,
      models: [],
      headers: {},
      key: { source: 'missing', last_four: null, hint: 'Set OLLAMA_KEY or store a key' },
    },
  ],
}

export const kinds: ProviderKinds = {
  kinds: [{ kind: 'openai', label: 'OpenAI', default_base_url: 'https://api.openai.com/v1', auth: 'bearer', presets: [] }],
}

export const routes: RouteList = { routes: [{ alias: 'coder', targets: ['openai/gpt-4.1', 'ollama/qwen'], strategy: 'fallback' }] }

export const prices: PriceList = {
  models: [
    { model: 'openai/gpt-4.1', provider: 'openai', in_use: true, input: 2, output: 8, cached_input: 0.5, cache_write: null, long_context_above: null, source: 'builtin:openai/gpt-4.1 (as of 2026-04)', stale: true },
    { model: 'ollama/qwen', provider: 'ollama', in_use: true, input: null, output: null, cached_input: null, cache_write: null, long_context_above: null, source: null, stale: false },
    { model: 'gpt-4o', provider: null, in_use: false, input: 2.5, output: 10, cached_input: 1.25, cache_write: null, long_context_above: null, source: 'builtin:openai/gpt-4o', stale: true },
  ],
  overrides: [],
  imported_models: null,
  imported_format: null,
  builtin: [{ section: 'openai', vendor: 'OpenAI', source: 'https://openai.com/api/pricing', as_of: '2026-04-01', checked: '2026-08-25', notes: null, models: 30, stale: true }],
}

export const settings: Settings = {
  listen: '127.0.0.1:4545',
  max_body_mb: 32,
  store_bodies: true,
  retention_days: 30,
  retention_max_mb: 0,
  max_stored_body_kb: 256,
  budgets: null,
  restart_required: false,
}
