// Serves an in-process IUT over the adapter protocol on stdin/stdout
// (`nfconform adapter model`): one JSON object per line each way.
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { AdapterReplyError, type Iut } from "./iut.js";
import { PROTOCOL_VERSION } from "./protocol.js";

type Reply = Record<string, unknown>;

function errorReply(id: unknown, code: string, message: string): Reply {
  return { id: typeof id === "number" ? id : null, error: { code, message } };
}

async function answer(iut: Iut, line: string): Promise<Reply> {
  let request: unknown;
  try {
    request = JSON.parse(line);
  } catch {
    return errorReply(null, "invalid", `request is not JSON: ${line.slice(0, 80)}`);
  }
  if (typeof request !== "object" || request === null || Array.isArray(request)) {
    return errorReply(null, "invalid", "request is not a JSON object");
  }
  const { id, op, ...params } = request as Record<string, unknown>;
  if (typeof id !== "number" || !Number.isInteger(id)) return errorReply(id, "invalid", `"id" must be an integer`);
  if (typeof op !== "string") return errorReply(id, "invalid", `"op" must be a string`);
  try {
    if (op === "hello") {
      if (params.protocol !== PROTOCOL_VERSION) {
        return errorReply(
          id,
          "unsupported",
          `protocol ${JSON.stringify(params.protocol)} (this adapter speaks ${PROTOCOL_VERSION})`,
        );
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
