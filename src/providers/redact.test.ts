import { describe, expect, it } from 'vitest';
import { isSecretHeader, redactUrl } from './redact.js';

describe('redaction from the one credential list', () => {
  it('knows every provider credential header and the bridge headers', () => {
    for (const name of ['Authorization', 'x-api-key', 'X-Goog-Api-Key', 'x-aibridge-token', 'cookie']) {
      expect({ name, secret: isSecretHeader(name) }).toEqual({ name, secret: true });
    }
    expect(isSecretHeader('user-agent')).toBe(false);
  });

  it('redacts a key in a logged URL and leaves the rest', () => {
    expect(redactUrl('/api/v2/aibridge/gemini/v1beta/models/m:generateContent?key=abc-def&alt=sse')).toBe(
      '/api/v2/aibridge/gemini/v1beta/models/m:generateContent?key=[redacted]&alt=sse',
    );
    expect(redactUrl('/x?%6Bey=abc')).toBe('/x?%6Bey=[redacted]');
    expect(redactUrl('/x?alt=sse')).toBe('/x?alt=sse');
  });
});
