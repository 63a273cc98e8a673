// Hash routing (`#/requests?model=x`): works however the page is served (the gateway at `/`,
// the desktop window, the dev server) and keeps filters in the URL, so Back and reload work.

export type Route = { path: string; params: URLSearchParams }

function parse(hash: string): Route {
  const fragment = hash.replace(/^#/, '')
  const q = fragment.indexOf('?')
  const rawPath = q >= 0 ? fragment.slice(0, q) : fragment
  const path = '/' + rawPath.replace(/^\/+/, '').replace(/\/+$/, '')
  return { path, params: new URLSearchParams(q >= 0 ? fragment.slice(q + 1) : '') }
}

export const route = $state<Route>(parse(typeof window === 'undefined' ? '' : window.location.hash))

export function startRouter(): () => void {
  const update = () => {
    const next = parse(window.location.hash)
    route.path = next.path
    route.params = next.params
  }
  update()
  window.addEventListener('hashchange', update)
  return () => window.removeEventListener('hashchange', update)
}

/** The href of a page, with parameters (empty values left out). */
export function href(path: string, params?: Record<string, string | number | null | undefined>): string {
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries(params ?? {})) {
    if (v !== null && v !== undefined && v !== '') qs.set(k, String(v))
  }
  const query = qs.toString()
  return `#${path}${query ? '?' + query : ''}`
}

/** Goes to a page; `replace` keeps the history entry (for filter edits as you type). */
export function navigate(target: string, replace = false): void {
  if (replace) {
    history.replaceState(history.state, '', target)
    const next = parse(target)
    route.path = next.path
    route.params = next.params
  } else {
    window.location.hash = target.replace(/^#/, '')
  }
}
