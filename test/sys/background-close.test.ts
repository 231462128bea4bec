// AF_PACKET sockets are closed on a worker thread (sys/background-close.ts):
// the descriptor is really closed, soon, and the caller does not wait.
import { closeSync, fstatSync, openSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { closeInBackground } from "../../sys/background-close.js";

describe("closeInBackground", () => {
  it("closes the descriptor on the worker", async () => {
    const fd = openSync("/dev/null", "r");
    let fellBack = false;
    closeInBackground(fd, (n) => {
      fellBack = true;
      closeSync(n);
    });
    const deadline = Date.now() + 5000;
    let open = true;
    while (open && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
      try {
        fstatSync(fd);
      } catch {
        open = false;
      }
    }
    expect(open).toBe(false);
    expect(fellBack).toBe(false);
  });
});
