// The command lines printed in reports and on failures, so every failure can be replayed.
import { isAbsolute, relative } from "node:path";
import { shellCommand } from "../harness/shell-quote.js";
import type { AreaName } from "../iut/protocol.js";

export interface CommandContext {
  iutSpec: string;
  seed: number;
  profiles: Partial<Record<AreaName, string>>;
  corpusDir: string | null;
}

function profileWords(profiles: Partial<Record<AreaName, string>>): string[] {
  return Object.entries(profiles).flatMap(([area, profile]) => ["--profile", `${area}=${profile}`]);
}

/** A path below the working directory is shown relative to it; any other stays absolute. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : path;
}

export function commandBuilders(context: CommandContext) {
  return {
    replayCase: (caseFile: string) =>
      shellCommand([
        "nfconform",
        "replay",
        displayPath(caseFile),
        "--iut",
        context.iutSpec,
        ...profileWords(context.profiles),
      ]),
    rerunProperty: (propertyId: string, extra: string[]) =>
      shellCommand([
        "nfconform",
        "run",
        "--iut",
        context.iutSpec,
        "--area",
        propertyId.split(".")[0]!,
        "--property",
        propertyId,
        "--seed",
        String(context.seed),
        ...profileWords(context.profiles),
        ...(context.corpusDir === null ? ["--corpus", "none"] : []),
        ...extra,
      ]),
  };
}
