// What the running gateway says about itself (`/api/status`): the proxy URL the Connect page,
// empty states and "Copy as curl" fill in. Loaded once after sign-in.

import { api } from '../api/admin'
import type { Status } from '../api/types'

export const gateway = $state<{ status: Status | null; error: string | null }>({ status: null, error: null })

export async function loadStatus(): Promise<void> {
  try {
    gateway.status = await api.status()
    gateway.error = null
  } catch (error) {
    gateway.error = error instanceof Error ? error.message : String(error)
  }
}

/** The proxy base URL (`…/v1`); before the status arrives, the one this page was served from. */
export function proxyUrl(): string {
  return gateway.status?.proxy_url ?? `${window.location.origin}/v1`
}
