// One live connection to `/api/events` for the whole app; pages subscribe to new history rows.

import { followRequests, type LiveState } from '../api/events'
import type { RequestRow } from '../api/types'

export const live = $state<{ state: LiveState; detail: string | null }>({ state: 'stopped', detail: null })

const listeners = new Set<(row: RequestRow) => void>()
const laggedListeners = new Set<() => void>()
let stop: (() => void) | null = null

export function startLive(): void {
  if (stop) return
  stop = followRequests({
    onRow: (row) => listeners.forEach((listener) => listener(row)),
    onLagged: () => laggedListeners.forEach((listener) => listener()),
    onState: (state, detail) => {
      live.state = state
      live.detail = detail ?? null
    },
  })
}

export function stopLive(): void {
  stop?.()
  stop = null
}

/** Calls `listener` when live rows were missed (after a reconnect): reload what is shown. */
export function onMissed(listener: () => void): () => void {
  laggedListeners.add(listener)
  return () => laggedListeners.delete(listener)
}

/** Calls `listener` for each new request until the returned function is called. */
export function onRequest(listener: (row: RequestRow) => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}
