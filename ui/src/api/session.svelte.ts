// Who is signed in: the admin token for this tab, and why it was dropped (a 401). The API
// client reads the token from here; the app shows the token page whenever it is null.

import { TOKEN_KEY, bootstrapToken, tokenFromFragment } from './token'

function storage(): Storage | null {
  try {
    return window.sessionStorage
  } catch {
    return null
  }
}

export const session = $state<{ token: string | null; reason: string | null }>({
  token: null,
  reason: null,
})

export function startSession(): void {
  session.token = bootstrapToken()
  // A dashboard link pasted into a tab that is already open only changes the fragment.
  window.addEventListener('hashchange', () => {
    if (!tokenFromFragment(window.location.hash)) return
    session.token = bootstrapToken()
    session.reason = null
  })
}

export function signIn(token: string): void {
  const clean = token.trim()
  storage()?.setItem(TOKEN_KEY, clean)
  session.token = clean
  session.reason = null
}

/** Called on a 401: forget the token and say why on the token page. */
export function signOut(reason: string | null = null): void {
  storage()?.removeItem(TOKEN_KEY)
  session.token = null
  session.reason = reason
}
