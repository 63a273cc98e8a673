// PROVISIONAL: the shapes below follow the Rust sources and docs/admin-api.md until the
// generated bindings land in ./generated/ (`make bindings`); then this file becomes
// `export type { X } from './generated/X'` lines only. Nothing else imports ./generated.

export type RequestRow = {
  id: string
  started_at: string
  client: string | null
  inbound_api: string
  requested_model: string | null
  provider: string | null
  upstream_model: string | null
  status: number
  outcome: string
  stream: boolean
  attempts: number
  input_tokens: number
  cached_input_tokens: number
  cache_write_tokens: number
  output_tokens: number
  reasoning_tokens: number
  usage_estimated: boolean
  cost_usd: number | null
  price_source: string | null
  latency_ms: number
  ttft_ms: number | null
  tags: unknown
  error: string | null
  user_agent: string | null
}
export type Listing = { items: RequestRow[]; total: number }
export type Attempt = {
  provider: string
  upstream_model: string
  status: number | null
  error: string | null
  latency_ms: number
}
export type Detail = RequestRow & {
  attempt_details: Attempt[]
  request_body: string | null
  response_body: string | null
}
export type Period = { cost_usd: number; requests: number; errors: number }
export type DayProviderCost = { day: string; provider: string | null; cost_usd: number }
export type TopRow = { key: string | null; requests: number; cost_usd: number | null }
export type Overview = {
  today: Period
  last_7_days: Period
  last_30_days: Period
  cost_per_day: DayProviderCost[]
  top_models: TopRow[]
  top_clients: TopRow[]
}
export type CostRow = {
  key: string | null
  requests: number
  input_tokens: number
  cached_input_tokens: number
  cache_write_tokens: number
  output_tokens: number
  reasoning_tokens: number
  cost_usd: number | null
}
export type CostReport = { rows: CostRow[]; total_cost_usd: number }
export type WhatIf = {
  model: string
  price_source: string
  since: string | null
  until: string | null
  requests: number
  unpriced_requests: number
  estimated_requests: number
  input_tokens: number
  cached_input_tokens: number
  cache_write_tokens: number
  output_tokens: number
  actual_cost_usd: number
  what_if_cost_usd: number
  what_if_priced_cost_usd: number
}
export type PeriodStatus = {
  limit_usd: number | null
  spent_usd: number
  remaining_usd: number | null
  exceeded: boolean
  resets_at: string
}
export type BudgetStatus = { action: string | null; blocking: boolean; daily: PeriodStatus; monthly: PeriodStatus }
export type Status = {
  version: string
  listen: string
  proxy_url: string
  uptime_secs: number
  config_path: string
  history: { enqueued: number; written: number }
}
export type KeyInfo = { source: string; last_four: string | null }
export type KeyTest = { ok: boolean; status: number | null; message: string }
export type ProviderView = {
  id: string
  kind: string
  base_url: string
  key_env: string | null
  models: string[]
  headers: Record<string, string>
  key: KeyInfo | null
}
export type ProviderInput = {
  id: string
  kind: string
  base_url: string | null
  key_env: string | null
  models: string[]
  headers: Record<string, string>
}
export type ProviderPreset = { name: string; id: string; base_url: string; key_env: string | null; models: string[] }
export type ProviderKindInfo = {
  kind: string
  label: string
  default_base_url: string
  default_key_env: string | null
  presets: ProviderPreset[]
}
export type RouteView = { alias: string; targets: string[]; strategy: string }
export type RouteInput = { targets: string[]; strategy: string }
export type PriceInput = { input: number; output: number; cached_input: number | null; cache_write: number | null }
export type PriceOverride = PriceInput & { model: string }
export type EffectivePrice = {
  model: string
  input: number | null
  output: number | null
  cached_input: number | null
  cache_write: number | null
  source: string | null
}
export type BuiltinSection = {
  section: string
  vendor: string
  source: string
  as_of: string
  checked: string
  models: number
}
export type PriceList = {
  models: EffectivePrice[]
  overrides: PriceOverride[]
  imported_models: number | null
  builtin: BuiltinSection[]
}
export type BudgetSettings = { daily_usd: number | null; monthly_usd: number | null; action: string }
export type Settings = {
  listen: string
  store_bodies: boolean
  retention_days: number
  max_stored_body_kb: number
  budgets: BudgetSettings
  restart_required: boolean
}
