// Error raised by every netlink decoder in this folder. The message names what
// is wrong and where: "nlmsghdr at offset 32: nlmsg_len 12 is less than the
// 16-byte header". `offset` is the byte offset in the buffer handed to the
// outermost decoder.

export class NetlinkDecodeError extends Error {
  readonly offset: number;

  constructor(what: string, offset: number, problem: string) {
    super(`${what} at offset ${offset}: ${problem}`);
    this.name = "NetlinkDecodeError";
    this.offset = offset;
  }
}
