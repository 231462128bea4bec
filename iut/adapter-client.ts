// Runs an external adapter (`--iut cmd:'<command>'`) per docs/adapter-protocol.md:
// spawn, hello, one request at a time with a per-request timeout, restart after
// a crash or a timeout. Every harness-level fault is an IutError carrying the
// offending line or exit status.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { AdapterReplyError, IutError, type Iut } from "./iut.js";
import { ErrorReply, PROTOCOL_VERSION, readHello, type Hello, type Params, type Result } from "./ops/common.js";

export interface AdapterClientOptions {
  /** Per-request timeout in milliseconds (protocol default 10 s). */
  timeoutMs?: number;
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
        throw new IutError(`adapter not restarted again after ${this.restarts} restarts`, this.exitDescription);
      }
      this.restarts++;
      await this.start();
    }
    const reply = await this.send(op, params);
    if ("error" in reply) throw this.replyError(op, reply);
    const { id: _id, ...result } = reply;
    return result;
  }

  async close(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child) return;
    child.stdin.end();
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 2000);
    await exited;
    clearTimeout(timer);
  }

  /** Recent stderr of the adapter, for error reports. */
  stderr(): string {
    return this.stderrTail.join("\n");
  }

  private async start(): Promise<Hello> {
    const child = spawn("/bin/sh", ["-c", this.command], { stdio: ["pipe", "pipe", "pipe"] });
    this.child = child;
    this.exitDescription = undefined;
    child.stdin.on("error", () => {}); // a dead adapter shows up as an exit, below
    createInterface({ input: child.stdout }).on("line", (line) => this.onLine(line));
    createInterface({ input: child.stderr }).on("line", (line) => {
      this.stderrTail = [...this.stderrTail, line].slice(-STDERR_TAIL_LINES);
      this.options.onStderr?.(line);
    });
    child.on("error", (error) => this.onExit(child, `could not start: ${error.message}`));
    child.on("exit", (code, signal) =>
      this.onExit(child, signal ? `killed by ${signal}` : `exited with status ${code}`),
    );
    const reply = await this.send("hello", { protocol: PROTOCOL_VERSION });
    if ("error" in reply)
      throw new IutError(`adapter refused hello: ${JSON.stringify(reply.error)}`, JSON.stringify(reply));
    const hello = parseHello(reply);
    if (this.helloReply && JSON.stringify(hello) !== JSON.stringify(this.helloReply)) {
      throw new IutError("adapter said a different hello after a restart", JSON.stringify(reply));
    }
    return hello;
  }

  private send(op: string, params: Params): Promise<Record<string, unknown>> {
    const child = this.child;
    if (!child)
      return Promise.reject(new IutError(`adapter is not running (${this.exitDescription ?? "not started"})`));
    const id = this.nextId++;
    const timeoutMs = this.options.timeoutMs ?? 10_000;
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

  private onLine(line: string): void {
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
    child?.kill("SIGKILL");
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
  try {
    return readHello(reply);
  } catch (error) {
    throw new IutError((error as Error).message, JSON.stringify(reply));
  }
}
