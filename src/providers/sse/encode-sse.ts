/** Encodes one SSE event the way providers frame them: optional `event:` line, one `data:` line, blank line. */
export function encodeSseEvent(options: { event?: string; data: string }): Buffer {
  const eventLine = options.event === undefined ? '' : `event: ${options.event}\n`;
  // JSON never holds a raw newline, so one data line suffices; other text is split per the spec.
  const dataLines = options.data
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}\n`)
    .join('');
  return Buffer.from(`${eventLine}${dataLines}\n`, 'utf8');
}
