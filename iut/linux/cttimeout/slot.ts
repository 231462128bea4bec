// One namespace's cttimeout as the area uses it: the socket the properties'
// messages go through, our control socket, and our users (CT rules) there.
// Sockets stay in the namespace they were opened in, so a slot is used from
// any namespace the thread is in.
//
// Why slots: a user's policy reference goes only when nf_tables destroys the
// deleted rule, after an RCU grace period (about 10-15 ms measured on 6.18).
// A case runs in one slot; reset retires it (its rules flushed, the releases
// left to run) and renews the next slot, verified fresh, so no case waits for
// the grace period of the one before. A detached user's release is confirmed
// only before something could see it (the next message or attach, the next
// detach of the same policy, another tool let into the namespace), so a
// case's trailing detaches cost no wait.
import { toHex } from "../../../wire/hex.js";
import { attrBe16, attrU8 } from "../../../wire/netlink/attributes.js";
import {
  CTA_TIMEOUT_L3PROTO,
  CTA_TIMEOUT_L4PROTO,
  IPCTNL_MSG_TIMEOUT_DEFAULT_GET,
  IPCTNL_MSG_TIMEOUT_DEFAULT_SET,
  IPCTNL_MSG_TIMEOUT_DELETE,
  cttimeoutType,
  dataAttribute,
  decodeDefaultsMessage,
} from "../../../wire/netlink/cttimeout.js";
import { DEFAULT_SECONDS, TRACKERS } from "../../../model/cttimeout/protocols.js";
import type { AttachRequest } from "../../../model/cttimeout/users.js";
import type { NetworkNamespace } from "../../../sys/netns.js";
import { awaitNfTablesDestroy, Control, waitFor } from "./control.js";
import { NetlinkExchange } from "./netlink-exchange.js";
import { LinuxCttimeoutUsers } from "./users.js";

interface Release {
  name: Uint8Array;
  /** USE once the detached user's reference is gone: what GET said before the detach, minus one. */
  use: number;
}

export class CttimeoutSlot {
  private readonly link = new NetlinkExchange();
  private readonly control = new Control();
  private readonly users = new LinuxCttimeoutUsers();
  /** The policy each of our users holds, by ref (null: none). */
  private readonly holding = new Map<string, Uint8Array | null>();
  /** Detached users whose release is not confirmed yet, by policy name (hex). */
  private readonly releasing = new Map<string, Release>();
  private defaultsTouched = false;

  /** Opens the slot's sockets in the namespace the calling thread is in: `namespace` (null: one the caller owns). */
  constructor(readonly namespace: NetworkNamespace | null) {}

  /** One datagram of the properties', once every detached user's release is confirmed. */
  exchange(datagram: Uint8Array): Uint8Array[] {
    this.settle();
    if (datagram.length >= 6 && (datagram[4]! | (datagram[5]! << 8)) === cttimeoutType(IPCTNL_MSG_TIMEOUT_DEFAULT_SET))
      this.defaultsTouched = true;
    return this.link.exchange(datagram);
  }

  attach(request: AttachRequest): { errno: number; ref?: string } {
    this.settle();
    const r = this.users.attach(request);
    if (r.ref !== undefined) this.holding.set(r.ref, request.name.length > 0 ? request.name : null);
    return r;
  }

  /** Deletes the user's rule; undefined when the ref is unknown. Its release is confirmed later (settle). */
  detach(ref: string): number | undefined {
    const name = this.holding.get(ref);
    if (name && this.releasing.has(toHex(name))) this.settle();
    const before = name ? this.control.use(name) : undefined;
    const errno = this.users.detach(ref);
    if (errno === undefined) return undefined;
    this.holding.delete(ref);
    if (name && before !== undefined) this.releasing.set(toHex(name), { name, use: before - 1 });
    return errno;
  }

  /** Waits until every detached user's policy reference is gone. */
  settle(): void {
    if (this.releasing.size === 0) return;
    const pending = [...this.releasing.values()];
    awaitNfTablesDestroy();
    waitFor(`the release of policy ${pending.map((r) => toHex(r.name)).join(", ")}`, () =>
      pending.every((r) => this.control.use(r.name) === r.use),
    );
    this.releasing.clear();
  }

  /** Removes every user; their references go in the background (renew() confirms it). */
  retire(): void {
    this.users.flush();
    this.holding.clear();
    this.releasing.clear();
  }

  /**
   * Makes the slot's cttimeout state fresh again, verified: every reference
   * released, every policy deleted, and defaults restored if a DEFAULT_SET
   * was sent or they differ (whoever changed them).
   */
  renew(): void {
    this.retire();
    const released = () => this.control.dump().every((p) => p.use === 1);
    if (!released()) {
      awaitNfTablesDestroy();
      waitFor("the release of every policy", released);
    }
    if (this.control.dump().length > 0) {
      this.control.errno(IPCTNL_MSG_TIMEOUT_DELETE, []);
      if (this.control.dump().length > 0) throw new Error("cttimeout: policies survived delete-all");
    }
    for (const t of TRACKERS) {
      const seconds = DEFAULT_SECONDS[t.defaults];
      const m = this.control.request(IPCTNL_MSG_TIMEOUT_DEFAULT_GET, 0, [
        attrBe16(CTA_TIMEOUT_L3PROTO, 2),
        attrU8(CTA_TIMEOUT_L4PROTO, t.l4proto),
      ])[0];
      const now =
        m && m.type === cttimeoutType(IPCTNL_MSG_TIMEOUT_DEFAULT_SET)
          ? decodeDefaultsMessage(m).data.map(([, v]) => v)
          : [];
      if (!this.defaultsTouched && JSON.stringify(now) === JSON.stringify(seconds)) continue;
      // L3PROTO too: kernels before 2024 (6.1 measured) refuse a DEFAULT_SET without it (EINVAL).
      const errno = this.control.errno(IPCTNL_MSG_TIMEOUT_DEFAULT_SET, [
        attrBe16(CTA_TIMEOUT_L3PROTO, 2),
        attrU8(CTA_TIMEOUT_L4PROTO, t.l4proto),
        dataAttribute(seconds.map((s, i) => [i + 1, s])),
      ]);
      if (errno !== 0) throw new Error(`cttimeout: restoring the ${t.name} defaults failed: errno ${errno}`);
    }
    this.defaultsTouched = false;
  }

  close(): void {
    this.users.close();
    this.control.close();
    this.link.close();
    this.namespace?.close();
  }
}
