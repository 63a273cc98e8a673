// What each kind of token contributed to a request's cost, from the price that priced it. The
// history keeps only the total; the split is shown when today's price under the same source
// still adds up to that total (a changed override or a long-context tier would not).

import type { EffectivePrice, RequestRow } from '../api/types'

export type CostParts = { uncached: number; cached: number; write: number; output: number }

type Usage = Pick<RequestRow, 'input_tokens' | 'cached_input_tokens' | 'cache_write_tokens' | 'output_tokens' | 'cost_usd'>

export function costParts(row: Usage, price: EffectivePrice | null | undefined): CostParts | null {
  if (!price || price.input === null || price.output === null || row.cost_usd === null) return null
  const input = price.input
  const parts: CostParts = {
    uncached: (Math.max(0, row.input_tokens - row.cached_input_tokens - row.cache_write_tokens) * input) / 1e6,
    cached: (row.cached_input_tokens * (price.cached_input ?? input)) / 1e6,
    write: (row.cache_write_tokens * (price.cache_write ?? input)) / 1e6,
    output: (row.output_tokens * price.output) / 1e6,
  }
  const total = parts.uncached + parts.cached + parts.write + parts.output
  const tolerance = Math.max(1e-12, Math.abs(row.cost_usd) * 1e-6)
  return Math.abs(total - row.cost_usd) <= tolerance ? parts : null
}
