import { describe, expect, it } from 'vitest';
import { isInjectedContext, lastTurn, userText } from './read-user-prompt.js';

describe('injected client context', () => {
  it.each([
    '<system-reminder>\ngit status: clean\n</system-reminder>',
    '  <environment_context>\n  <cwd>/w</cwd>\n</environment_context>\n',
    '<session_context>\nThis is the Gemini CLI.\n</session_context>',
    '<system-reminder>a</system-reminder>\n\n<system-reminder>b</system-reminder>',
  ])('recognises %j as wholly injected', (text) => {
    expect(isInjectedContext(text)).toBe(true);
  });

  it.each([
    'fix the bug',
    '<system-reminder>a</system-reminder> fix the bug',
    'fix <system-reminder>a</system-reminder>',
    '<system-reminder>never closed',
    '<other>x</other>',
    '',
  ])('keeps %j as the user text', (text) => {
    expect(isInjectedContext(text)).toBe(false);
  });

  it('joins the user parts that are left, or gives null when none is', () => {
    expect(userText(['<system-reminder>x</system-reminder>', 'one', '', 'two'])).toBe('one\ntwo');
    expect(userText(['<environment_context></environment_context>'])).toBeNull();
    expect(userText([])).toBeNull();
  });

  it('finds the last entry that is not a system one', () => {
    const isSystem = (entry: string) => entry.startsWith('system');
    expect(lastTurn(['user', 'system 1', 'system 2'], isSystem)).toBe('user');
    expect(lastTurn(['system'], isSystem)).toBeNull();
    expect(lastTurn([], isSystem)).toBeNull();
  });
});
