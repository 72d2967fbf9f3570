/**
 * What `aibridge server` prints to the terminal at start (stderr, beside the log). The owner token
 * created on first start is shown here once, and only when stderr is a terminal: piped or shipped
 * output names the token file instead, so the token never reaches a log aggregator.
 */
export function startBanner(input: {
  url: string;
  accessUrl: string;
  adminToken: string | null;
  adminTokenFile: string;
  terminal: boolean;
}): string {
  const lines: string[] = [];
  if (input.adminToken) {
    if (input.terminal) {
      lines.push(
        `Created the owner "admin". Its token (shown once; saved to ${input.adminTokenFile}):`,
        '',
        `  ${input.adminToken}`,
        '',
      );
    } else {
      lines.push(`Created the owner "admin"; its token is in ${input.adminTokenFile} (mode 0600).`, '');
    }
  }
  if (!input.terminal && !input.adminToken) return '';
  lines.push(
    `AI Bridge is listening on ${input.url}. Point clients at ${input.accessUrl}:`,
    `  Claude Code: ANTHROPIC_BASE_URL=${input.accessUrl}/api/v2/aibridge/anthropic ANTHROPIC_AUTH_TOKEN=<token>`,
    // Current Codex ignores OPENAI_BASE_URL: it reads openai_base_url from its config file.
    `  Codex: openai_base_url = "${input.accessUrl}/api/v2/aibridge/openai/v1" in ~/.codex/config.toml, then codex login --with-api-key`,
    `  OpenAI SDK: OPENAI_BASE_URL=${input.accessUrl}/api/v2/aibridge/openai/v1 OPENAI_API_KEY=<token>`,
    `  Gemini CLI / Google GenAI SDK: GOOGLE_GEMINI_BASE_URL=${input.accessUrl}/api/v2/aibridge/gemini GEMINI_API_KEY=<token>`,
    '',
  );
  return `\n${lines.join('\n')}\n`;
}
