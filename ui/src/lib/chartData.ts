// Turns (day, series, value) points into chart.js labels and one dataset per series, with
// every day of the range present (a day without spend is a zero, not a gap).

export type Point = { day: string; series: string | null; value: number }

export function daysBetween(first: string, last: string): string[] {
  const out: string[] = []
  const end = Date.parse(last + 'T00:00:00Z')
  for (let t = Date.parse(first + 'T00:00:00Z'); t <= end && out.length < 400; t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10))
  }
  return out
}

export function stackByDay(
  points: Point[],
  days: string[],
  unknownLabel = 'unknown',
): { labels: string[]; series: { label: string; data: number[] }[] } {
  const index = new Map(days.map((d, i) => [d, i]))
  const bySeries = new Map<string, number[]>()
  const totals = new Map<string, number>()
  for (const p of points) {
    const i = index.get(p.day.slice(0, 10))
    if (i === undefined) continue
    const name = p.series ?? unknownLabel
    if (!bySeries.has(name)) bySeries.set(name, new Array(days.length).fill(0))
    bySeries.get(name)![i] += p.value
    totals.set(name, (totals.get(name) ?? 0) + p.value)
  }
  const names = [...bySeries.keys()].sort((a, b) => (totals.get(b) ?? 0) - (totals.get(a) ?? 0))
  return {
    labels: days.map((d) => d.slice(5)),
    series: names.map((label) => ({ label, data: bySeries.get(label)! })),
  }
}
