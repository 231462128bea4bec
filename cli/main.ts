// The `nfconform` command. Exit codes: 0 conforms, 1 a violation was found,
// 2 a usage or harness error, an IUT error or a run that judged nothing (one
// line saying why); see finish-run.ts for which wins.
import { CorpusError } from "../harness/corpus-store.js";
import { errorLine, UsageError } from "./usage-error.js";
import { TOOL_VERSION } from "../sys/tool-version.js";

const USAGE = `usage:
  nfconform run [--iut linux|model|cmd:'<command>'|mutant:<name>|...] [--area a,b] [--profile area=name]
                [--property name] [--seed N] [--runs N] [--time-budget 30s] [--out DIR]
                [--corpus DIR|none] [--path P] [--timeout 10s] [--shard i/n] [--allow-empty]
                [--min-judged PCT] [--max-violations N] [--no-shrink] [--coverage]
                [--jobs N]  # IUT instances judging cases at once (default 24 for linux, 1 otherwise;
                            # checksum, bpf, cttimeout and hooks cases use at most 4);
                            # verdicts, counts and shrunk cases are the same for any N
                # --iut linux:bpf=socket | linux:bpf=xt_bpf: every bpf program at that attach point,
                # cases asking for the other declined (plain linux: each case's own); \`nfconform list\` names all IUTs
  nfconform fuzz --time DURATION [run's options]
  nfconform replay FILE [--iut SPEC] [--profile area=name]
  nfconform corpus check [--iut SPEC] [--area a,b] [--corpus DIR] [--allow-empty] [--jobs N]
  nfconform corpus minimize [--corpus DIR] [--dry-run]
  nfconform matrix --iut A --iut B ... [--area a,b] [--seed N] [--runs N] [--out DIR] [--corpus DIR] [--coverage]
  nfconform report merge DIR... [--out DIR]
  nfconform list [--json]
  nfconform adapter model [--mutant NAME] [--profile area=name]
  nfconform adapter-check --iut SPEC [--timeout 10s] [--json]
  nfconform expectations check|update [--stack NAME]... [--seed N] [--runs N]
  nfconform schema
  nfconform --version`;

const io = {
  stdout: (line: string) => process.stdout.write(`${line}\n`),
  stderr: (line: string) => process.stderr.write(`${line}\n`),
};

type Io = typeof io;

/**
 * Each command's module is imported only when that command runs: a static
 * import of every command made each process (`--version`, every kernel
 * adapter) load the whole tool first (bench/start.md).
 */
const COMMANDS: Record<string, (argv: string[], io: Io) => Promise<number>> = {
  run: async (argv, io) => (await import("./run-command.js")).runCommand(argv, io),
  replay: async (argv, io) => (await import("./replay-command.js")).replayCommand(argv, io),
  list: async (argv, io) => (await import("./list-command.js")).listCommand(argv, io),
  adapter: async (argv) => (await import("./adapter-command.js")).adapterCommand(argv),
  "adapter-check": async (argv, io) => (await import("./adapter-check-command.js")).adapterCheckCommand(argv, io),
  expectations: async (argv, io) => (await import("./expectations-command.js")).expectationsCommand(argv, io),
  fuzz: async (argv, io) => (await import("./fuzz-command.js")).fuzzCommand(argv, io),
  corpus: async (argv, io) => (await import("./corpus-command.js")).corpusCommand(argv, io),
  matrix: async (argv, io) => (await import("./matrix-command.js")).matrixCommand(argv, io),
  report: async (argv, io) => (await import("./report-command.js")).reportCommand(argv, io),
  schema: async (argv, io) => (await import("./schema-command.js")).schemaCommand(argv, io),
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "--version":
      io.stdout(TOOL_VERSION);
      return 0;
    case "help":
    case "--help":
    case "-h":
      io.stdout(USAGE);
      return 0;
  }
  const run = command === undefined || !Object.hasOwn(COMMANDS, command) ? undefined : COMMANDS[command];
  if (run === undefined)
    throw new UsageError(
      command === undefined ? `no command given\n${USAGE}` : `unknown command "${command}"\n${USAGE}`,
    );
  return run(rest, io);
}

/** Every error ends as one line and exit 2; the stack only with NFCONFORM_DEBUG set. */
function fail(error: unknown): void {
  const known = error instanceof UsageError || error instanceof CorpusError;
  // A usage error says all it means (a malformed corpus lists its files); anything else is one line.
  process.stderr.write(`nfconform: ${known ? error.message : `internal error: ${errorLine(error)}`}\n`);
  process.exitCode = 2;
}

// A throw from an event handler (outside main's promise) too; a run's own guard
// (run-guard.ts), when there is one, writes the report and exits first.
for (const event of ["uncaughtException", "unhandledRejection"] as const) {
  process.on(event, (error: unknown) => {
    if (process.listenerCount(event) > 1) return;
    fail(error);
    process.exit(2);
  });
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, fail);
