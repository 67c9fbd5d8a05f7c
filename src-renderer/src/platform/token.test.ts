import { describe, expect, it } from 'vitest';
import { resolveToken, TOKEN_KEY, urlWithoutToken, webSocketUrl } from './token';

function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m };
}

describe('token', () => {
  it('takes the token from the URL and remembers it', () => {
    const s = memoryStorage();
    expect(resolveToken('?token=abc%20d', s)).toBe('abc d');
    expect(s.m.get(TOKEN_KEY)).toBe('abc d');
    expect(resolveToken('', s)).toBe('abc d');
  });
  it('prefers a new URL token over the stored one', () => {
    const s = memoryStorage();
    s.setItem(TOKEN_KEY, 'old');
    expect(resolveToken('?x=1&token=new', s)).toBe('new');
  });
  it('returns null without either', () => {
    expect(resolveToken('', memoryStorage())).toBeNull();
    expect(resolveToken('', null)).toBeNull();
  });
  it('strips the token from the address', () => {
    expect(urlWithoutToken('http://127.0.0.1:8080/?token=abc&x=1#h')).toBe('http://127.0.0.1:8080/?x=1#h');
    expect(urlWithoutToken('http://127.0.0.1:8080/')).toBeNull();
  });
  it('builds the socket URL from the page location', () => {
    expect(webSocketUrl({ protocol: 'http:', host: '127.0.0.1:8080' }, 'a/b')).toBe('ws://127.0.0.1:8080/ws?token=a%2Fb');
    expect(webSocketUrl({ protocol: 'https:', host: 'h' }, null)).toBe('wss://h/ws');
  });
});
