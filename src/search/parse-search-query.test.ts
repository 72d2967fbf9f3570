import { describe, expect, it } from 'vitest';
import {
  clientsGrammar,
  interceptionsGrammar,
  modelsGrammar,
  parseSearchQuery,
  searchHelpOf,
  sessionsGrammar,
} from './parse-search-query.js';

describe('parseSearchQuery', () => {
  it('parses every interceptions key into the typed filter', () => {
    const { filter, validations } = parseSearchQuery(
      'initiator:alice provider:anthropic provider_name:anthropic-eu model:claude-sonnet-4 ' +
        'started_after:2025-01-01T00:00:00Z started_before:2025-02-01T00:00:00+01:00',
      interceptionsGrammar,
    );
    expect(validations).toEqual([]);
    expect(filter).toEqual({
      initiator: 'alice',
      provider: 'anthropic',
      providerName: 'anthropic-eu',
      model: 'claude-sonnet-4',
      startedAfter: new Date('2025-01-01T00:00:00Z'),
      startedBefore: new Date('2025-01-31T23:00:00Z'),
    });
  });

  it('parses the session keys client and session_id', () => {
    const { filter, validations } = parseSearchQuery(
      'client:"Claude Code" session_id:abc:def',
      sessionsGrammar,
    );
    expect(validations).toEqual([]);
    expect(filter).toEqual({ client: 'Claude Code', sessionId: 'abc:def' });
  });

  it('treats keys case-insensitively and keeps the case of values', () => {
    const { filter, validations } = parseSearchQuery('MODEL:GPT-5 Provider:OpenAI', interceptionsGrammar);
    expect(validations).toEqual([]);
    expect(filter).toEqual({ model: 'GPT-5', provider: 'OpenAI' });
  });

  it('reads a bare word as the initiator of interceptions', () => {
    expect(parseSearchQuery('alice', interceptionsGrammar).filter).toEqual({ initiator: 'alice' });
  });

  it('reads a bare word as the prefix of models and of clients', () => {
    expect(parseSearchQuery('claude', modelsGrammar).filter).toEqual({ model: 'claude' });
    expect(parseSearchQuery('model:gpt', modelsGrammar).filter).toEqual({ model: 'gpt' });
    expect(parseSearchQuery('"Claude Code"', clientsGrammar).filter).toEqual({ client: 'Claude Code' });
  });

  it('refuses bare words on sessions', () => {
    const { validations } = parseSearchQuery('alice', sessionsGrammar);
    expect(validations).toEqual([{ field: 'q', detail: expect.stringContaining('"alice"') }]);
  });

  it('accepts an empty or blank query', () => {
    expect(parseSearchQuery('', sessionsGrammar)).toEqual({ filter: {}, validations: [] });
    expect(parseSearchQuery('  \t ', sessionsGrammar)).toEqual({ filter: {}, validations: [] });
  });

  it('reports an unknown key under its own name', () => {
    const { validations } = parseSearchQuery('session_id:zed', interceptionsGrammar);
    expect(validations).toEqual([
      { field: 'session_id', detail: expect.stringContaining('Unknown search key') },
    ]);
  });

  it('parses client and credential_kind on both lists, and refuses an unknown credential kind', () => {
    for (const grammar of [interceptionsGrammar, sessionsGrammar]) {
      const { filter, validations } = parseSearchQuery('client:Codex credential_kind:byok', grammar);
      expect(validations).toEqual([]);
      expect(filter).toEqual({ client: 'Codex', credentialKind: 'byok' });
      expect(parseSearchQuery('credential_kind:mine', grammar).validations).toEqual([
        { field: 'credential_kind', detail: expect.stringContaining('centralized, byok') },
      ]);
    }
  });

  it('derives each route grammar from the key table', () => {
    expect(interceptionsGrammar.keys).toEqual([
      'initiator',
      'provider',
      'provider_name',
      'model',
      'client',
      'credential_kind',
      'error',
      'has_error',
      'started_after',
      'started_before',
    ]);
    expect(sessionsGrammar.keys).toContain('session_id');
    expect(modelsGrammar).toEqual({ keys: ['model'], bareWordKey: 'model' });
    expect(clientsGrammar).toEqual({ keys: ['client'], bareWordKey: 'client' });
    expect(searchHelpOf('interceptions')).toContain('credential_kind (whose credential went upstream');
  });

  it('reports a repeated key, also when one spelling differs in case', () => {
    const { filter, validations } = parseSearchQuery('model:a MODEL:b', interceptionsGrammar);
    expect(filter).toEqual({ model: 'a' });
    expect(validations).toEqual([{ field: 'model', detail: expect.stringContaining('more than once') }]);
  });

  it('reports two bare words as a repeated initiator', () => {
    const { validations } = parseSearchQuery('alice initiator:bob', interceptionsGrammar);
    expect(validations).toEqual([{ field: 'initiator', detail: expect.stringContaining('more than once') }]);
  });

  it('reports an empty value', () => {
    const { validations } = parseSearchQuery('model: provider:""', interceptionsGrammar);
    expect(validations.map((validation) => validation.field)).toEqual(['model', 'provider']);
  });

  it('reports a bad time under its key', () => {
    const { validations } = parseSearchQuery(
      'started_after:yesterday started_before:2025-01-01T00:00:00',
      interceptionsGrammar,
    );
    expect(validations.map((validation) => validation.field)).toEqual(['started_after', 'started_before']);
  });

  it('reports started_before that is not after started_after', () => {
    for (const before of ['2025-01-01T00:00:00Z', '2024-12-31T00:00:00Z']) {
      const { validations } = parseSearchQuery(
        `started_after:2025-01-01T00:00:00Z started_before:${before}`,
        interceptionsGrammar,
      );
      expect(validations).toEqual([{ field: 'started_before', detail: expect.stringContaining('after') }]);
    }
  });

  it('collects every problem of one query at once', () => {
    const { validations } = parseSearchQuery(
      'nope:1 model:a model:b started_after:bad "unterminated',
      interceptionsGrammar,
    );
    expect(validations.map((validation) => validation.field).sort()).toEqual([
      'model',
      'nope',
      'q',
      'started_after',
    ]);
  });
});
