import { describe, expect, it } from 'vitest'
import {
  formatAgo,
  formatCost,
  formatDuration,
  formatInt,
  formatPercent,
  formatPrice,
  formatTokens,
  formatTotal,
  tagPairs,
  utcDay,
} from './format'

describe('formatCost', () => {
  it('shows unknown costs as a dash, never as $0', () => {
    expect(formatCost(null)).toBe('—')
    expect(formatCost(undefined)).toBe('—')
  })
  it('shows a real zero as $0.00', () => {
    expect(formatCost(0)).toBe('$0.00')
  })
  it('keeps three significant digits for fractions of a cent', () => {
    expect(formatCost(0.000034)).toBe('$0.000034')
    expect(formatCost(0.00123456)).toBe('$0.00123')
    expect(formatCost(1.2e-7)).toBe('$0.00000012')
  })
  it('shows cents to four places below a dollar, trimming zeros to two', () => {
    expect(formatCost(0.0123456)).toBe('$0.0123')
    expect(formatCost(0.5)).toBe('$0.50')
  })
  it('rounds dollars to cents with thousands separators', () => {
    expect(formatCost(12.345)).toBe('$12.35')
    expect(formatCost(1234567.891)).toBe('$1,234,567.89')
  })
  it('keeps the sign of a negative difference', () => {
    expect(formatCost(-0.25)).toBe('-$0.25')
  })
})

describe('formatTotal', () => {
  it('uses cents but never hides a tiny nonzero spend', () => {
    expect(formatTotal(41.2)).toBe('$41.20')
    expect(formatTotal(0)).toBe('$0.00')
    expect(formatTotal(0.0042)).toBe('$0.0042')
    expect(formatTotal(null)).toBe('—')
  })
})

describe('formatPrice', () => {
  it('prints per-million prices without needless zeros', () => {
    expect(formatPrice(2)).toBe('$2.00')
    expect(formatPrice(0.075)).toBe('$0.075')
    expect(formatPrice(0)).toBe('$0')
    expect(formatPrice(null)).toBe('—')
  })
})

describe('token counts', () => {
  it('groups thousands in full counts', () => {
    expect(formatInt(0)).toBe('0')
    expect(formatInt(1234567)).toBe('1,234,567')
  })
  it('abbreviates large counts', () => {
    expect(formatTokens(950)).toBe('950')
    expect(formatTokens(12_345)).toBe('12.3K')
    expect(formatTokens(4_560_000)).toBe('4.56M')
    expect(formatTokens(1_000)).toBe('1K')
    expect(formatTokens(250_000_000)).toBe('250M')
  })
})

describe('formatDuration', () => {
  it('uses the unit that reads best', () => {
    expect(formatDuration(null)).toBe('—')
    expect(formatDuration(0)).toBe('0 ms')
    expect(formatDuration(850)).toBe('850 ms')
    expect(formatDuration(1250)).toBe('1.25 s')
    expect(formatDuration(12_340)).toBe('12.3 s')
    expect(formatDuration(125_000)).toBe('2 min 05 s')
    expect(formatDuration(3 * 3600_000 + 7 * 60_000)).toBe('3 h 07 min')
  })
})

describe('formatPercent', () => {
  it('has no share of nothing', () => {
    expect(formatPercent(0, 0)).toBe('—')
    expect(formatPercent(0, 10)).toBe('0%')
    expect(formatPercent(1, 40)).toBe('2.5%')
    expect(formatPercent(1, 10_000)).toBe('<0.1%')
  })
})

describe('dates', () => {
  it('computes UTC days relative to now', () => {
    const now = new Date('2026-03-01T00:30:00Z')
    expect(utcDay(0, now)).toBe('2026-03-01')
    expect(utcDay(-1, now)).toBe('2026-02-28')
  })
  it('says how long ago', () => {
    const now = new Date('2026-03-01T12:00:00Z')
    expect(formatAgo('2026-03-01T11:59:58Z', now)).toBe('just now')
    expect(formatAgo('2026-03-01T11:58:00Z', now)).toBe('2 min ago')
    expect(formatAgo('2026-02-28T12:00:00Z', now)).toBe('1 d ago')
  })
})

describe('tagPairs', () => {
  it('reads tags as an object or as pairs', () => {
    expect(tagPairs({ project: 'web', team: 'infra' })).toEqual([
      ['project', 'web'],
      ['team', 'infra'],
    ])
    expect(tagPairs([['a', 'b']])).toEqual([['a', 'b']])
    expect(tagPairs(null)).toEqual([])
  })
})
