// TraceListener.take() over the recvmmsg() receiver, with the socket and the
// receiver's answers stubbed: an error recvmmsg() defers past a short batch
// (net/socket.c do_recvmmsg(): "record the error to return on the next call")
// must fail the take it belongs to. No kernel needed.
import { afterEach, describe, expect, it, vi } from "vitest";
import { TraceListener } from "../../iut/linux/hooks/trace-listener.js";
import { ENOBUFS } from "../../sys/errno.js";
import { SysError } from "../../sys/libc.js";
import { NetlinkSocket } from "../../sys/netlink-socket.js";
import { BatchReceiver } from "../../sys/recvmmsg.js";

/** A 16-byte NLMSG_NOOP: decoded, not a trace event. */
const NOOP = Uint8Array.of(16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

afterEach(() => {
  vi.restoreAllMocks();
});

describe("hooks trace listener", () => {
  it("a lost event's ENOBUFS after a short batch fails this take", () => {
    vi.spyOn(NetlinkSocket, "open").mockReturnValue({ fd: -1, close() {} } as unknown as NetlinkSocket);
    const receive = vi
      .spyOn(BatchReceiver.prototype, "receive")
      .mockReturnValueOnce([NOOP])
      .mockImplementationOnce(() => {
        throw new SysError("recvmmsg", ENOBUFS);
      })
      .mockReturnValue([]);
    const listener = new TraceListener();
    try {
      expect(() => listener.take()).toThrow(/nftrace events were lost/);
      expect(receive).toHaveBeenCalledTimes(2);
    } finally {
      listener.close();
    }
  });

  it("a take ends at an empty receive", () => {
    vi.spyOn(NetlinkSocket, "open").mockReturnValue({ fd: -1, close() {} } as unknown as NetlinkSocket);
    const receive = vi.spyOn(BatchReceiver.prototype, "receive").mockReturnValueOnce([NOOP]).mockReturnValue([]);
    const listener = new TraceListener();
    try {
      expect(listener.take()).toEqual([]);
      expect(receive).toHaveBeenCalledTimes(2);
    } finally {
      listener.close();
    }
  });
});
