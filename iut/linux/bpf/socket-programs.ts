// The socket attach point on the kernel: each loaded program is the filter of
// its own AF_UNIX datagram socketpair (sys/socket-filter.ts); a run sends each
// packet as one datagram and reports the bytes the receiver got, which is
// min(return value, length) or 0 (sk_filter_trim_cap()).
import type { Insn } from "../../../model/bpf/opcodes.js";
import { FilterPair } from "../../../sys/socket-filter.js";

export class LinuxSocketPrograms {
  private readonly pairs = new Map<string, FilterPair>();
  private readonly programs = new Map<string, readonly Insn[]>();

  /** SO_ATTACH_FILTER: the errno, and the pair kept when it attached. */
  load(handle: string, program: readonly Insn[]): number {
    const pair = FilterPair.open();
    const errno = pair.attach(program);
    if (errno === 0) {
      this.pairs.set(handle, pair);
      this.programs.set(handle, program);
    } else pair.close();
    return errno;
  }

  has(handle: string): boolean {
    return this.pairs.has(handle);
  }

  /** The loaded program (the receive path attaches it to a packet socket too). */
  program(handle: string): readonly Insn[] {
    return this.programs.get(handle)!;
  }

  run(handle: string, packets: readonly Uint8Array[]): number[] {
    const pair = this.pairs.get(handle)!;
    return packets.map((p) => pair.run(p));
  }

  unload(handle: string): boolean {
    const pair = this.pairs.get(handle);
    pair?.close();
    this.programs.delete(handle);
    return this.pairs.delete(handle);
  }

  reset(): void {
    for (const pair of this.pairs.values()) pair.close();
    this.pairs.clear();
    this.programs.clear();
  }
}
