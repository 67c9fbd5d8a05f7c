/**
 * The WebSocket front door wants the token the server printed (`…/?token=abc`). It is kept in
 * sessionStorage so a reload of the page without the query still connects, and removed from the
 * address bar so it does not end up in screenshots or shared links.
 */
export const TOKEN_KEY = 'benchtop.token';

type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem'>;

export function resolveToken(search: string, storage: KeyValueStorage | null): string | null {
  const fromUrl = new URLSearchParams(search).get('token');
  if (fromUrl) {
    try {
      storage?.setItem(TOKEN_KEY, fromUrl);
    } catch {
      // storage may be disabled; the token still works for this page load
    }
    return fromUrl;
  }
  try {
    return storage?.getItem(TOKEN_KEY) ?? null;
  } catch {
    return null;
  }
}

/** The page URL without its `token` parameter, or null if it had none. */
export function urlWithoutToken(href: string): string | null {
  const url = new URL(href);
  if (!url.searchParams.has('token')) return null;
  url.searchParams.delete('token');
  return url.toString();
}

export function webSocketUrl(loc: { protocol: string; host: string }, token: string | null): string {
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  return `${scheme}://${loc.host}/ws${query}`;
}
