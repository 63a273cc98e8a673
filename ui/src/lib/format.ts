// How numbers, times and money read everywhere in the dashboard. Costs of a single request are
// often fractions of a cent, so small amounts keep three significant digits instead of rounding
// to $0.00; unknown costs are "—", never $0.

const NONE = '—'

function trimZeros(fixed: string, minDecimals: number): string {
  const [whole, frac = ''] = fixed.split('.')
  let f = frac.replace(/0+$/, '')
  if (f.length < minDecimals) f = f.padEnd(minDecimals, '0')
  return f ? `${whole}.${f}` : whole
}

function groupThousands(whole: string): string {
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/** US dollars: `$12.35`, `$0.0123`, `$0.000034`; `—` when unknown. */
export function formatCost(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || Number.isNaN(usd)) return NONE
  const sign = usd < 0 ? '-' : ''
  const abs = Math.abs(usd)
  if (abs === 0) return '$0.00'
  let text: string
  if (abs >= 1) {
    text = abs.toFixed(2)
  } else if (abs >= 0.01) {
    text = trimZeros(abs.toFixed(4), 2)
  } else {
    const decimals = Math.min(12, -Math.floor(Math.log10(abs)) + 2)
    text = trimZeros(abs.toFixed(decimals), 2)
    if (Number(text) === 0) text = '0.00'
  }
  const [whole, frac] = text.split('.')
  return `${sign}$${groupThousands(whole)}${frac !== undefined ? '.' + frac : ''}`
}

/** Whole dollars and cents for totals and budgets: `$1,234.56`, `$0.004` stays visible. */
export function formatTotal(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || Number.isNaN(usd)) return NONE
  if (usd !== 0 && Math.abs(usd) < 0.01) return formatCost(usd)
  const sign = usd < 0 ? '-' : ''
  const [whole, frac] = Math.abs(usd).toFixed(2).split('.')
  return `${sign}$${groupThousands(whole)}.${frac}`
}

/** A price in USD per million tokens: `$2.50`, `$0.075`. */
export function formatPrice(perMillion: number | null | undefined): string {
  if (perMillion === null || perMillion === undefined) return NONE
  if (perMillion === 0) return '$0'
  return '$' + trimZeros(perMillion.toFixed(4), 2)
}

/** Integers with thousands separators: `12,345`. */
export function formatInt(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return NONE
  const rounded = Math.round(n)
  return (rounded < 0 ? '-' : '') + groupThousands(String(Math.abs(rounded)))
}

/** Token counts in little space: `950`, `12.3K`, `4.56M`, `1.2B`. */
export function formatTokens(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return NONE
  const abs = Math.abs(n)
  const units: [number, string][] = [
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'K'],
  ]
  for (const [size, unit] of units) {
    if (abs >= size) {
      const value = n / size
      const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2
      return trimZeros(value.toFixed(digits), 0) + unit
    }
  }
  return formatInt(n)
}

/** Durations: `850 ms`, `1.25 s`, `12.3 s`, `2 min 05 s`, `3 h 07 min`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return NONE
  if (ms < 1000) return `${Math.round(ms)} ms`
  const s = ms / 1000
  if (s < 10) return `${s.toFixed(2)} s`
  if (s < 60) return `${s.toFixed(1)} s`
  const totalSeconds = Math.round(s)
  const minutes = Math.floor(totalSeconds / 60)
  if (minutes < 60) return `${minutes} min ${String(totalSeconds % 60).padStart(2, '0')} s`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`
  return `${Math.floor(hours / 24)} d ${hours % 24} h`
}

/** A share: `2.5%`, `0%`, `—` when there is nothing to divide. */
export function formatPercent(part: number, whole: number): string {
  if (!whole) return NONE
  const pct = (part / whole) * 100
  if (pct === 0) return '0%'
  if (pct < 0.1) return '<0.1%'
  return `${trimZeros(pct.toFixed(1), 0)}%`
}

function pad(n: number): string {
  return String(n).padStart(2, '0')
}

/** A moment in local time: `2026-11-25 14:03:07`. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return NONE
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

/** Time of day for today's rows, date and time otherwise. */
export function formatWhen(iso: string, now: Date = new Date()): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const sameDay =
    d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate()
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  return sameDay ? time : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`
}

/** `just now`, `42 s ago`, `5 min ago`, `3 h ago`, `2 d ago`. */
export function formatAgo(iso: string, now: Date = new Date()): string {
  const seconds = Math.round((now.getTime() - new Date(iso).getTime()) / 1000)
  if (Number.isNaN(seconds)) return iso
  if (seconds < 5) return 'just now'
  if (seconds < 60) return `${seconds} s ago`
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`
  return `${Math.floor(seconds / 86400)} d ago`
}

/** A UTC day as `YYYY-MM-DD`, `offsetDays` from `now`. */
export function utcDay(offsetDays = 0, now: Date = new Date()): string {
  const d = new Date(now.getTime() + offsetDays * 86_400_000)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
}

/** Tags as `key=value` pairs, whatever shape the API gave them in. */
export function tagPairs(tags: unknown): [string, string][] {
  if (!tags || typeof tags !== 'object') return []
  if (Array.isArray(tags)) {
    return tags
      .filter((t): t is [string, string] => Array.isArray(t) && t.length === 2)
      .map(([k, v]) => [String(k), String(v)])
  }
  return Object.entries(tags as Record<string, unknown>).map(([k, v]) => [k, String(v ?? '')])
}
