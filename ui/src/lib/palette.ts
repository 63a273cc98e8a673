// Series colours that stay apart in light and dark themes; a key keeps its colour everywhere.
export const PALETTE = ['#6366f1', '#10b981', '#f59e0b', '#ef4444', '#06b6d4', '#a855f7', '#84cc16', '#ec4899', '#64748b', '#14b8a6']

export function colorFor(index: number): string {
  return PALETTE[index % PALETTE.length]
}
