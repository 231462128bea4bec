// The ways a run ends other than by finishing: SIGINT or SIGTERM stop it after
// the current case (a second one stops it at once), and a crash of nfconform
// itself stops it there. Each writes the report of what was found so far, so
// a run never loses what it found. Adapters die with the process (their
// process groups are killed on exit, see iut/adapter-client.ts).
import type { RunResult } from "../harness/results.js";
import { errorLine } from "./usage-error.js";
import { printFindings, writeRunReports } from "./finish-run.js";

const SIGNAL_NUMBERS: Record<"SIGINT" | "SIGTERM", number> = { SIGINT: 2, SIGTERM: 15 };

export interface RunGuard {
  /** Set by the first signal; the harness stops after the current case. */
  readonly signal: { aborted: boolean };
  /** The signal that stopped the run, if one did. */
  stoppedBy(): "SIGINT" | "SIGTERM" | undefined;
  /** Writes the report of what was found so far, for a run about to fail. */
  writeSoFar(why: string): void;
  dispose(): void;
}

export function guardRun(
  label: string,
  outDir: string,
  soFar: (why: string) => RunResult,
  stderr: (line: string) => void,
): RunGuard {
  const signal = { aborted: false };
  let stopped: "SIGINT" | "SIGTERM" | undefined;
  const writeSoFar = (why: string) => {
    try {
      const run = soFar(why);
      printFindings(run, { stderr });
      writeRunReports(outDir, run, { stderr });
    } catch (error) {
      stderr(`nfconform: could not write the report of what was found: ${errorLine(error)}`);
    }
  };
  const onSignal = (name: "SIGINT" | "SIGTERM") => {
    if (!stopped) {
      stopped = name;
      signal.aborted = true;
      stderr(`${label}: ${name}: stopping after the current case and writing the report (${name} again stops at once)`);
      return;
    }
    writeSoFar(`the run was stopped by ${name} before this property ran`);
    stderr(`nfconform: stopped by ${name}`);
    process.exit(128 + SIGNAL_NUMBERS[name]);
  };
  const onCrash = (error: unknown) => {
    writeSoFar(`nfconform stopped on an internal error before this property ran: ${errorLine(error)}`);
    stderr(`nfconform: internal error: ${errorLine(error)}`);
    process.exit(2);
  };
  const onInt = () => onSignal("SIGINT");
  const onTerm = () => onSignal("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  process.on("uncaughtException", onCrash);
  process.on("unhandledRejection", onCrash);
  return {
    signal,
    stoppedBy: () => stopped,
    writeSoFar,
    dispose: () => {
      process.removeListener("SIGINT", onInt);
      process.removeListener("SIGTERM", onTerm);
      process.removeListener("uncaughtException", onCrash);
      process.removeListener("unhandledRejection", onCrash);
    },
  };
}
