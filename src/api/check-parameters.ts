/**
 * One check in front of every API route: path parameters, query parameters and JSON body strings must be
 * text PostgreSQL can store. A NUL character makes PostgreSQL refuse the whole statement and an unpaired
 * surrogate has no UTF-8 form, so either would otherwise turn bad input into a 500 (or a silently altered
 * value); they are refused with a 400 naming the parameter.
 */
import type { FastifyRequest } from 'fastify';
import { badRequest, type Validation } from './http-error.js';

// A high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const unpairedSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function isUnstorable(text: string): boolean {
  return text.includes('\0') || unpairedSurrogate.test(text);
}

/** Deep enough for any body the API accepts; deeper structures are refused by the routes themselves. */
const maxDepth = 32;

const detail = 'must not contain NUL characters or unpaired UTF-16 surrogates';

function checkValue(value: unknown, field: string, problems: Validation[], depth: number): void {
  if (typeof value === 'string') {
    if (isUnstorable(value)) problems.push({ field, detail });
    return;
  }
  if (value === null || typeof value !== 'object' || depth >= maxDepth || Buffer.isBuffer(value)) return;
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      checkValue(item, `${field}[${index}]`, problems, depth + 1);
    });
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    const name = field === '' ? key : `${field}.${key}`;
    if (isUnstorable(key)) problems.push({ field: name, detail: `name ${detail}` });
    else checkValue(item, name, problems, depth + 1);
  }
}

/**
 * A Fastify `preValidation` hook: throws a 400 listing every path parameter, query parameter and body
 * field whose text PostgreSQL cannot store.
 */
export async function checkParameters(request: FastifyRequest): Promise<void> {
  const problems: Validation[] = [];
  checkValue(request.params, '', problems, 0);
  checkValue(request.query, '', problems, 0);
  checkValue(request.body, '', problems, 0);
  if (problems.length > 0) {
    throw badRequest(
      'Invalid characters in the request.',
      problems,
      'Text must be valid Unicode without NUL.',
    );
  }
}
