// Serves an in-process IUT over the adapter protocol on stdin/stdout
// (`nfconform adapter model`): one JSON object per line each way.
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { AdapterReplyError, type Iut } from "./iut.js";
import { HelloRequest, PROTOCOL_VERSION, RequestEnvelope, type ErrorCode, type ErrorReply } from "./ops/common.js";

type Reply = Record<string, unknown>;

function errorReply(id: unknown, code: ErrorCode, message: string): Reply & ErrorReply {
  return { id: typeof id === "number" ? id : null, error: { code, message } };
}

async function answer(iut: Iut, line: string): Promise<Reply> {
  let request: unknown;
  try {
    request = JSON.parse(line);
  } catch {
    return errorReply(null, "invalid", `request is not JSON: ${line.slice(0, 80)}`);
  }
  const problem = RequestEnvelope.problem(request);
  if (problem !== undefined) {
    const id = typeof request === "object" && request !== null ? (request as Reply).id : null;
    return errorReply(Number.isInteger(id) ? id : null, "invalid", `request: ${problem}`);
  }
  const { id, op, ...params } = request as { id: number; op: string };
  try {
    if (op === "hello") {
      const hello = HelloRequest.problem(params);
      if (hello !== undefined || (params as { protocol: number }).protocol !== PROTOCOL_VERSION) {
        const protocol = JSON.stringify((params as Reply).protocol);
        return errorReply(id, "unsupported", `protocol ${protocol} (this adapter speaks ${PROTOCOL_VERSION})`);
      }
      // The reply names the protocol it speaks, so a runner of another version can tell.
      return { id, protocol: PROTOCOL_VERSION, ...(await iut.hello()) };
    }
    return { id, ...(await iut.call(op, params)) };
  } catch (error) {
    if (error instanceof AdapterReplyError) return errorReply(id, error.code, error.detail);
    return errorReply(id, "internal", (error as Error).message ?? String(error));
  }
}

export async function serveAdapter(iut: Iut, input: Readable, output: Writable): Promise<void> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === "") continue;
    const reply = await answer(iut, line);
    if (!output.write(`${JSON.stringify(reply)}\n`)) await new Promise((resolve) => output.once("drain", resolve));
  }
  await iut.close();
}
