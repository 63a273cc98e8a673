import { describe, expect, it, vi } from 'vitest'
import { TOKEN_KEY, bootstrapToken, fragmentWithoutToken, tokenFromFragment } from './token'

function fakeStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial))
  return {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    data,
  }
}

describe('token from the URL fragment', () => {
  it('reads the token the printed dashboard link carries', () => {
    expect(tokenFromFragment('#token=abc123')).toBe('abc123')
    expect(tokenFromFragment('#/requests?model=x&token=t%2Bk')).toBe('t+k')
    expect(tokenFromFragment('#/requests')).toBeNull()
    expect(tokenFromFragment('')).toBeNull()
    expect(tokenFromFragment('#token=')).toBeNull()
  })

  it('removes only the token from the fragment', () => {
    expect(fragmentWithoutToken('#token=abc')).toBe('#/')
    expect(fragmentWithoutToken('#/requests?model=x&token=abc')).toBe('#/requests?model=x')
    expect(fragmentWithoutToken('#/costs?token=abc')).toBe('#/costs')
  })

  it('stores a token from the URL and hides it from the address bar', () => {
    const storage = fakeStorage()
    const history = { state: null, replaceState: vi.fn() }
    const token = bootstrapToken({ hash: '#token=s3cret', pathname: '/', search: '' }, storage, history)
    expect(token).toBe('s3cret')
    expect(storage.data.get(TOKEN_KEY)).toBe('s3cret')
    expect(history.replaceState).toHaveBeenCalledWith(null, '', '/#/')
  })

  it('falls back to the token stored earlier in this tab, without touching the URL', () => {
    const storage = fakeStorage({ [TOKEN_KEY]: 'earlier' })
    const history = { state: null, replaceState: vi.fn() }
    expect(bootstrapToken({ hash: '#/requests', pathname: '/', search: '' }, storage, history)).toBe('earlier')
    expect(history.replaceState).not.toHaveBeenCalled()
  })

  it('prefers a new token in the URL over a stored one', () => {
    const storage = fakeStorage({ [TOKEN_KEY]: 'old' })
    const history = { state: null, replaceState: vi.fn() }
    expect(bootstrapToken({ hash: '#token=new', pathname: '/', search: '' }, storage, history)).toBe('new')
    expect(storage.data.get(TOKEN_KEY)).toBe('new')
  })

  it('has no token without one', () => {
    const history = { state: null, replaceState: vi.fn() }
    expect(bootstrapToken({ hash: '', pathname: '/', search: '' }, fakeStorage(), history)).toBeNull()
  })
})
