// Runs an external adapter (`--iut cmd:'<command>'`) per docs/adapter-protocol.md:
// spawn, hello, one request at a time with a per-request timeout, restart after
// a crash or a timeout. Every harness-level fault is an IutError carrying the
// offending line or exit status.
//
// The adapter runs in a process group of its own (sys/process-group.ts), killed
// whole on a timeout, a crash, close() and whenever this process ends, so a
// hung adapter never outlives the run.
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { endGroup, spawnInOwnGroup, waitExit } from "../sys/process-group.js";
import { AdapterReplyError, IutError, type Iut } from "./iut.js";
import { LineSplitter, MAX_LINE_BYTES } from "./line-splitter.js";
import { ErrorReply, PROTOCOL_VERSION, readHello, type Hello, type Params, type Result } from "./ops/common.js";

export interface AdapterClientOptions {
  /** Per-request timeout in milliseconds (protocol default 10 s). */
  timeoutMs?: number;
  /** Timeout of the hello that starts (or restarts) the adapter; timeoutMs unless set (a VM boots first). */
  startTimeoutMs?: number;
  /** Restarts allowed after crashes or timeouts before every further request fails at once. */
  maxRestarts?: number;
  /** Receives the adapter's stderr lines (logs). */
  onStderr?: (line: string) => void;
  /** How reports name this IUT (default `cmd:<command>`). */
  spec?: string;
}

interface Pending {
  id: number;
  op: string;
  resolve: (reply: Record<string, unknown>) => void;
  reject: (error: IutError) => void;
  timer: NodeJS.Timeout;
}

const STDERR_TAIL_LINES = 20;
/** A stderr line is kept up to this many bytes (logs, not protocol). */
const MAX_STDERR_LINE_BYTES = 64 * 1024;
/** How long close() waits for an adapter to exit after its stdin closed, before killing its group. */
const EXIT_DEADLINE_MS = 2000;
/** After its shell exited or was killed, how long the pipes may stay open (a grandchild) before they are closed. */
const PIPE_GRACE_MS = 500;

export class AdapterClient implements Iut {
  readonly spec: string;
  private child: ChildProcessWithoutNullStreams | undefined;
  private pending: Pending | undefined;
  private nextId = 1;
  private restarts = 0;
  private helloReply: Hello | undefined;
  private stderrTail: string[] = [];
  private exitDescription: string | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly command: string,
    private readonly options: AdapterClientOptions = {},
  ) {
    this.spec = options.spec ?? `cmd:${command}`;
  }

  async hello(): Promise<Hello> {
    if (!this.helloReply) this.helloReply = await this.start();
    return this.helloReply;
  }

  /** One request at a time, as the protocol says, even if callers overlap. */
  call(op: string, params: Params): Promise<Result> {
    const result = this.queue.then(() => this.callNow(op, params));
    this.queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  private async callNow(op: string, params: Params): Promise<Result> {
    if (!this.child) {
      if (this.restarts >= (this.options.maxRestarts ?? 5)) {
        throw new IutError(`adapter not restarted again after ${this.restarts} restarts`, this.exitDescription, true);
      }
      this.restarts++;
      try {
        await this.start();
      } catch (error) {
        if (!(error instanceof IutError)) throw error;
        throw new IutError(`restarting the adapter before ${op}: ${error.message}`, error.evidence, true);
      }
    }
    const reply = await this.send(op, params);
    if ("error" in reply) throw this.replyError(op, reply);
    const { id: _id, ...result } = reply;
    return result;
  }

  /** Closes stdin, waits a bounded time for the adapter to exit, then kills its group (leftovers too). */
  async close(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    // A request still waiting (the hello of an adapter closed while it starts) ends now: its timer
    // (60 s for a kernel adapter's start) would otherwise keep this process alive after the run.
    const pending = this.pending;
    if (pending) {
      clearTimeout(pending.timer);
      this.pending = undefined;
      pending.reject(new IutError(`adapter closed during ${pending.op}`));
    }
    if (!child) return;
    child.stdin.end();
    await waitExit(child, EXIT_DEADLINE_MS);
    endGroup(child, 0);
    await waitExit(child, EXIT_DEADLINE_MS);
  }

  /** Recent stderr of the adapter, for error reports. */
  stderr(): string {
    return this.stderrTail.join("\n");
  }

  private async start(): Promise<Hello> {
    const child = spawnInOwnGroup("nfconform-adapter", this.command);
    this.child = child;
    this.exitDescription = undefined;
    child.stdin.on("error", () => {}); // a dead adapter shows up as an exit, below
    const replies = new LineSplitter(
      MAX_LINE_BYTES,
      (line) => this.onLine(child, line),
      (head) => this.onOverlong(child, head),
    );
    child.stdout.on("data", (chunk: Buffer) => replies.push(chunk));
    child.stdout.on("end", () => replies.end());
    const logs = new LineSplitter(
      MAX_STDERR_LINE_BYTES,
      (line) => this.onStderrLine(line),
      (head) => this.onStderrLine(`${head}... (line longer than ${MAX_STDERR_LINE_BYTES} bytes, cut)`),
    );
    child.stderr.on("data", (chunk: Buffer) => logs.push(chunk));
    child.stderr.on("end", () => logs.end());
    child.on("error", (error) => this.onExit(child, `could not start: ${error.message}`));
    child.on("exit", (code, signal) => {
      // The shell is gone; anything it left behind in its group goes too.
      endGroup(child, PIPE_GRACE_MS);
      this.onExit(child, signal ? `killed by ${signal}` : `exited with status ${code}`);
    });
    const reply = await this.send("hello", { protocol: PROTOCOL_VERSION }, this.options.startTimeoutMs);
    if ("error" in reply)
      throw new IutError(`adapter refused hello: ${JSON.stringify(reply.error)}`, JSON.stringify(reply));
    const hello = parseHello(reply);
    if (this.helloReply && JSON.stringify(hello) !== JSON.stringify(this.helloReply)) {
      throw new IutError("adapter said a different hello after a restart", JSON.stringify(reply));
    }
    return hello;
  }

  private send(
    op: string,
    params: Params,
    timeoutMs = this.options.timeoutMs ?? 10_000,
  ): Promise<Record<string, unknown>> {
    const child = this.child;
    if (!child)
      return Promise.reject(new IutError(`adapter is not running (${this.exitDescription ?? "not started"})`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        this.kill(`no reply to request ${id} (${op}) within ${timeoutMs} ms`);
        reject(new IutError(`adapter timed out on ${op} after ${timeoutMs} ms`, this.stderr() || undefined));
      }, timeoutMs);
      this.pending = { id, op, resolve, reject, timer };
      child.stdin.write(`${JSON.stringify({ id, op, ...params })}\n`);
    });
  }

  private onStderrLine(line: string): void {
    this.stderrTail = [...this.stderrTail, line].slice(-STDERR_TAIL_LINES);
    this.options.onStderr?.(line);
  }

  /** A reply line past the cap: an IUT error, never a crash of the runner. */
  private onOverlong(child: ChildProcessWithoutNullStreams, head: string): void {
    if (child !== this.child) return;
    const message = `adapter wrote a line longer than ${MAX_LINE_BYTES} bytes (the protocol's limit)`;
    if (this.pending) this.fail(this.pending, `${message} in reply to ${this.pending.op}`, `${head}...`);
    else this.kill(message);
  }

  private onLine(child: ChildProcessWithoutNullStreams, line: string): void {
    if (child !== this.child) return; // a killed adapter's last words
    const pending = this.pending;
    if (!pending) {
      this.kill("wrote a line nobody asked for");
      return;
    }
    let reply: unknown;
    try {
      reply = JSON.parse(line);
    } catch {
      this.fail(pending, `adapter wrote a line that is not JSON in reply to ${pending.op}`, line);
      return;
    }
    if (typeof reply !== "object" || reply === null || Array.isArray(reply)) {
      this.fail(pending, `adapter reply to ${pending.op} is not a JSON object`, line);
      return;
    }
    const id = (reply as Record<string, unknown>).id;
    if (id !== pending.id) {
      this.fail(pending, `adapter reply has id ${JSON.stringify(id)}, expected ${pending.id} (${pending.op})`, line);
      return;
    }
    clearTimeout(pending.timer);
    this.pending = undefined;
    pending.resolve(reply as Record<string, unknown>);
  }

  /** A malformed or mismatched line: this request fails and the adapter restarts, since its stream is out of step. */
  private fail(pending: Pending, message: string, line: string): void {
    clearTimeout(pending.timer);
    this.pending = undefined;
    this.kill(message);
    pending.reject(new IutError(message, line.length > 2000 ? `${line.slice(0, 2000)}...` : line));
  }

  private onExit(child: ChildProcessWithoutNullStreams, description: string): void {
    if (child !== this.child) return;
    this.child = undefined;
    this.exitDescription = description;
    const pending = this.pending;
    if (pending) {
      clearTimeout(pending.timer);
      this.pending = undefined;
      const tail = this.stderr();
      pending.reject(
        new IutError(`adapter ${description} during ${pending.op}`, tail ? `stderr:\n${tail}` : description),
      );
    }
  }

  private kill(reason: string): void {
    const child = this.child;
    this.child = undefined;
    this.exitDescription = reason;
    if (child) endGroup(child, PIPE_GRACE_MS);
  }

  private replyError(op: string, reply: Record<string, unknown>): Error {
    const problem = ErrorReply.problem(reply);
    if (problem !== undefined)
      return new IutError(
        `adapter error reply to ${op} does not follow the protocol: ${problem}`,
        JSON.stringify(reply),
      );
    const { code, message } = (reply as ErrorReply).error;
    return new AdapterReplyError(code, op, message);
  }
}

/** A hello reply, or IutError naming the field. */
export function parseHello(reply: Record<string, unknown>): Hello {
  const line = JSON.stringify(reply);
  // Version 1 adapters may leave `protocol` out; one that names another version does not speak ours.
  if (reply.protocol !== undefined && reply.protocol !== PROTOCOL_VERSION)
    throw new IutError(
      `hello reply: the adapter speaks protocol ${JSON.stringify(reply.protocol)}, this suite speaks ${PROTOCOL_VERSION}`,
      line,
    );
  try {
    return readHello(reply);
  } catch (error) {
    throw new IutError((error as Error).message, line);
  }
}
