import { describe, expect, it } from 'vitest';
import { adapterForPath } from './adapter-for-path.js';
import { providerAdapter } from './index.js';

describe('adapterForPath', () => {
  it('answers an unknown instance in the shape of the provider whose path it is', () => {
    expect(adapterForPath('/v1/messages')).toBe(providerAdapter('anthropic'));
    expect(adapterForPath('/v1/messages/count_tokens')).toBe(providerAdapter('anthropic'));
    expect(adapterForPath('/v1beta/models/gemini-2.5-flash:generateContent')).toBe(providerAdapter('gemini'));
    expect(adapterForPath('/v1/chat/completions')).toBe(providerAdapter('openai'));
    expect(adapterForPath('/nowhere')).toBe(providerAdapter('openai'));
  });
});
