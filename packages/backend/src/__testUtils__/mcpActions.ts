import type { UserScopedBackend } from '@portico/test-utils';
import { userHeader } from '@portico/test-utils';

/** The JSON-RPC answer of the MCP actions endpoint (a JSON body or one server-sent event). */
export type McpResult = {
  result?: {
    tools?: Array<{ name: string }>;
    content?: Array<{ type: string; text: string }>;
    isError?: boolean;
  };
  error?: { message: string };
};

function mcpResult(res: { text: string; body: unknown }): McpResult {
  const text = res.text ?? '';
  const data = text
    .split('\n')
    .find(line => line.startsWith('data: '))
    ?.slice('data: '.length);
  return (data ? JSON.parse(data) : res.body) as McpResult;
}

/** Calls `/api/mcp-actions/v1` as `user` and returns its parsed answer. */
export async function mcpCall(
  t: UserScopedBackend,
  user: string,
  method: string,
  params: object = {},
): Promise<McpResult> {
  const res = await t
    .http()
    .post('/api/mcp-actions/v1')
    .set('authorization', userHeader(user))
    .set('accept', 'application/json, text/event-stream')
    .send({ jsonrpc: '2.0', id: 1, method, params });
  return mcpResult(res);
}
