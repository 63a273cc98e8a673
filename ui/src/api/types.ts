// The admin API's types, as Rust declares them (crates/gateway/src/admin/bindings.rs exports
// them with ts-rs into ./generated/, `make bindings`). Pages import them from here only.
//
// PROVISIONAL: until ./generated/ is filled, the shapes below are transcribed field for field
// from those Rust types; once it is, this file becomes the `export type { X } from
// './generated/X'` lines and nothing else changes.

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
  tags: Record<string, string>
  error: string | null
  user_agent: string | null
}
export type Listing = { items: Array<RequestRow>; total: number }
export type Attempt = {
  provider: string
  upstream_model: string
  status: number | null
  error: string | null
  latency_ms: number
}
export type Detail = {
  attempt_details: Array<Attempt>
  request_body: string | null
  response_body: string | null
} & RequestRow
export type Period = { since: string; requests: number; errors: number; cost_usd: number; unpriced: number }
export type DayProviderCost = { day: string; provider: string | null; requests: number; cost_usd: number }
export type TopRow = { key: string | null; requests: number; cost_usd: number; input_tokens: number; output_tokens: number }
export type Overview = {
  today: Period
  last_7_days: Period
  last_30_days: Period
  cost_per_day: Array<DayProviderCost>
  top_models: Array<TopRow>
  top_clients: Array<TopRow>
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
export type CostReport = { rows: Array<CostRow>; total_cost_usd: number }
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
export type HistoryProgress = { enqueued: number; written: number }
export type Status = {
  version: string
  listen: string
  proxy_url: string
  uptime_secs: number
  config_path: string | null
  paused: boolean
  history: HistoryProgress
}
export type KeyInfo = { source: string; last_four: string | null; hint: string | null }
export type KeyTest = { ok: boolean; status: number | null; message: string; source: string | null }
export type ProviderView = {
  id: string
  kind: string
  base_url: string
  key_env: string | null
  models: Array<string>
  headers: Record<string, string>
  key: KeyInfo
}
export type ProviderList = { providers: Array<ProviderView>; keychain_available: boolean }
export type ProviderInput = {
  id: string
  kind: string
  base_url: string | null
  key_env: string | null
  models: Array<string>
  headers: Record<string, string>
}
export type ProviderPreset = { id: string; label: string; base_url: string; key_env: string | null; models: Array<string> }
export type ProviderKindInfo = {
  kind: string
  label: string
  default_base_url: string | null
  auth: string
  presets: Array<ProviderPreset>
}
export type ProviderKinds = { kinds: Array<ProviderKindInfo> }
export type RouteView = { alias: string; targets: Array<string>; strategy: string }
export type RouteList = { routes: Array<RouteView> }
export type RouteInput = { targets: Array<string>; strategy: string | null }
export type PriceInput = { input: number; output: number; cached_input: number | null; cache_write: number | null }
export type PriceOverride = { model: string; input: number; output: number; cached_input: number | null; cache_write: number | null }
export type EffectivePrice = {
  model: string
  provider: string | null
  in_use: boolean
  input: number | null
  output: number | null
  cached_input: number | null
  cache_write: number | null
  long_context_above: number | null
  source: string | null
}
export type BuiltinSection = {
  section: string
  vendor: string
  source: string
  as_of: string
  checked: string
  notes: string | null
  models: number
}
export type PriceList = {
  models: Array<EffectivePrice>
  overrides: Array<PriceOverride>
  imported_models: number | null
  builtin: Array<BuiltinSection>
}
export type BudgetSettings = { daily_usd: number | null; monthly_usd: number | null; action: string }
export type Settings = {
  listen: string
  max_body_mb: number
  store_bodies: boolean
  retention_days: number
  max_stored_body_kb: number
  budgets: BudgetSettings | null
  restart_required: boolean
}
