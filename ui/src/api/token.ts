// The admin token: taken from the dashboard URL's fragment (`#token=…`, as printed by
// `switchyard serve`), kept in sessionStorage for this tab, and removed from the visible URL so
// it does not end up in screenshots, bookmarks or shared links.

export const TOKEN_KEY = 'switchyard.admin-token'

/** Splits a fragment into its route and its parameters: `#token=x` has route `/`. */
function splitFragment(hash: string): { path: string; params: string[] } {
  const fragment = hash.replace(/^#/, '')
  const q = fragment.indexOf('?')
  let path = q >= 0 ? fragment.slice(0, q) : fragment
  let query = q >= 0 ? fragment.slice(q + 1) : ''
  if (!path.startsWith('/')) {
    query = [path, query].filter(Boolean).join('&')
    path = '/'
  }
  return { path, params: query.split('&').filter(Boolean) }
}

/** Reads `token` from a fragment such as `#token=abc` or `#/requests?token=abc`. */
export function tokenFromFragment(hash: string): string | null {
  const { params } = splitFragment(hash)
  const value = new URLSearchParams(params.join('&')).get('token')?.trim()
  return value ? value : null
}

/** The fragment without its token parameter (a route such as `#/requests` survives). */
export function fragmentWithoutToken(hash: string): string {
  const { path, params } = splitFragment(hash)
  const kept = params.filter((p) => !p.startsWith('token='))
  return '#' + path + (kept.length ? '?' + kept.join('&') : '')
}

/**
 * On load: a token in the fragment wins (and is stored, then hidden from the URL); otherwise
 * the one stored earlier in this tab; otherwise null (the token page is shown).
 */
export function bootstrapToken(
  loc: Pick<Location, 'hash' | 'pathname' | 'search'> = window.location,
  storage: Pick<Storage, 'getItem' | 'setItem'> = window.sessionStorage,
  history: Pick<History, 'replaceState' | 'state'> = window.history,
): string | null {
  const fromUrl = tokenFromFragment(loc.hash)
  if (fromUrl) {
    storage.setItem(TOKEN_KEY, fromUrl)
    history.replaceState(history.state, '', loc.pathname + loc.search + fragmentWithoutToken(loc.hash))
    return fromUrl
  }
  return storage.getItem(TOKEN_KEY)
}
