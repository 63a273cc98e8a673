import { describe, expect, it } from 'vitest'
import type { EffectivePrice } from '../api/types'
import { costParts } from './costParts'

const price: EffectivePrice = {
  model: 'anthropic/claude-sonnet-4-5',
  provider: 'anthropic',
  in_use: true,
  input: 3,
  output: 15,
  cached_input: 0.3,
  cache_write: 3.75,
  long_context_above: null,
  source: 'config:anthropic/claude-sonnet-4-5',
}

describe('costParts', () => {
  // 1000 prompt tokens of which 600 cache reads and 200 cache writes, 100 output tokens.
  const usage = { input_tokens: 1000, cached_input_tokens: 600, cache_write_tokens: 200, output_tokens: 100 }
  const total = (200 * 3 + 600 * 0.3 + 200 * 3.75 + 100 * 15) / 1e6

  it('splits the cost the way the history computed it', () => {
    const parts = costParts({ ...usage, cost_usd: total }, price)
    expect(parts).not.toBeNull()
    expect(parts!.uncached).toBeCloseTo(0.0006, 12)
    expect(parts!.cached).toBeCloseTo(0.00018, 12)
    expect(parts!.write).toBeCloseTo(0.00075, 12)
    expect(parts!.output).toBeCloseTo(0.0015, 12)
  })

  it('falls back to the input price for missing cache prices', () => {
    const plain = { ...price, cached_input: null, cache_write: null }
    const parts = costParts({ ...usage, cost_usd: (1000 * 3 + 100 * 15) / 1e6 }, plain)
    expect(parts!.cached).toBeCloseTo(0.0018, 12)
  })

  it('gives no split when the price no longer adds up to the recorded cost', () => {
    expect(costParts({ ...usage, cost_usd: total * 2 }, price)).toBeNull()
    expect(costParts({ ...usage, cost_usd: null }, price)).toBeNull()
    expect(costParts({ ...usage, cost_usd: total }, null)).toBeNull()
  })
})
