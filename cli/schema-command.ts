// `nfconform schema`: the JSON Schema of every adapter-protocol request and
// reply, generated from their declarations in iut/ops. The checked-in copy,
// docs/adapter-protocol.schema.json, is this output (a test keeps them equal).
import { protocolSchema } from "../iut/ops/index.js";
import { parseOptions } from "./options.js";

export function schemaCommand(argv: string[], io: { stdout: (line: string) => void }): number {
  parseOptions(argv, {}, 0);
  io.stdout(JSON.stringify(protocolSchema(), null, 2));
  return 0;
}
