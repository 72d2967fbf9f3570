import { describe, expect, it } from 'vitest';
import { stripSecretQuery, upstreamRequestHeaders } from './forward-headers.js';

describe('what crosses the bridge upstream', () => {
  it('drops every credential header of the one list and keeps the rest', () => {
    const headers = upstreamRequestHeaders({
      headers: {
        authorization: 'Bearer t',
        'x-api-key': 't',
        'x-goog-api-key': 't',
        'x-aibridge-token': 't',
        'coder-session-token': 't',
        cookie: 'c',
        'accept-encoding': 'gzip',
        'x-goog-api-client': 'google-genai-sdk/1',
      },
      keepEncoding: false,
    });
    expect(headers).toEqual({ 'x-goog-api-client': 'google-genai-sdk/1' });
  });

  it('strips a key from the query string and keeps the other parameters as spelled', () => {
    expect(stripSecretQuery('?key=abc-def&alt=sse')).toBe('?alt=sse');
    expect(stripSecretQuery('?alt=sse&%6Bey=abc')).toBe('?alt=sse');
    expect(stripSecretQuery('?key=abc')).toBe('');
    expect(stripSecretQuery('?alt=sse&pageSize=5&keys=1')).toBe('?alt=sse&pageSize=5&keys=1');
    expect(stripSecretQuery('')).toBe('');
  });
});
