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
// only before something could see it: a message that reads or depends on a
// policy's USE (GET, its dump, DELETE), or another tool let into the
// namespace. Nothing else can (net/netfilter/nfnetlink_cttimeout.c, 6.18):
// NEW matches an existing policy by name and answers EEXIST, EBUSY or a
// REPLACE without reading its refcount; DEFAULT_GET/SET touch the per-netns
// defaults only; an attach takes its reference with refcount_inc_not_zero()
// on a listed policy, whose count stays >= 1 while listed (only
// ctnl_timeout_try_del()'s refcount_dec_if_one() unlists it). So detaches,
// those messages and attaches to other policies go on while releases run,
// and the USE a policy's releases end at is counted on from its detaches (no
// GET). Read in 6.18's source, the kernel measured here; a review read a newer
// netfilter tree whose DELETE unlists a policy without the EBUSY check (not
// verified here). On such a kernel a policy deleted in use and made again by
// name would have its detaches counted against the new one: settle() times
// out (an iut-error), never a wrong verdict.
import { toHex } from "../../../wire/hex.js";
import { attrBe16, attrU8 } from "../../../wire/netlink/attributes.js";
import {
  CTA_TIMEOUT_L3PROTO,
  CTA_TIMEOUT_L4PROTO,
  IPCTNL_MSG_TIMEOUT_DEFAULT_GET,
  IPCTNL_MSG_TIMEOUT_DEFAULT_SET,
  IPCTNL_MSG_TIMEOUT_DELETE,
  IPCTNL_MSG_TIMEOUT_NEW,
  cttimeoutType,
  dataAttribute,
  decodeDefaultsMessage,
} from "../../../wire/netlink/cttimeout.js";
import {
  decodeErrorMessage,
  decodeMessages,
  NLM_F_ACK,
  NLMSG_ERROR,
  type NetlinkMessage,
} from "../../../wire/netlink/message.js";
import { DEFAULT_SECONDS, TRACKERS } from "../../../model/cttimeout/protocols.js";
import type { AttachRequest } from "../../../model/cttimeout/users.js";
import type { NetworkNamespace } from "../../../sys/netns.js";
import { awaitNfTablesDestroy, Control, waitFor } from "./control.js";
import { NetlinkExchange } from "./netlink-exchange.js";
import { LinuxCttimeoutUsers } from "./users.js";

interface Release {
  name: Uint8Array;
  /** USE once the detached users' references are gone: what GET said before the first detach, minus one a detach. */
  use: number;
}

/** The policy an attach or a GET names: the kernel compares names as C strings (strncmp(), at most 32 bytes). */
function policyKey(name: Uint8Array): string {
  const end = name.indexOf(0);
  return toHex(name.subarray(0, Math.min(end < 0 ? name.length : end, 32)));
}

/** The messages whose handlers read no policy's USE (see above). */
const BLIND_TO_RELEASES = [IPCTNL_MSG_TIMEOUT_NEW, IPCTNL_MSG_TIMEOUT_DEFAULT_SET, IPCTNL_MSG_TIMEOUT_DEFAULT_GET].map(
  cttimeoutType,
);

/**
 * Whether a datagram could see a release still running: unless every message the kernel would handle in it is a
 * cttimeout NEW, DEFAULT_SET or DEFAULT_GET (anything that does not decode as whole messages counts as seeing).
 */
function seesReleases(datagram: Uint8Array): boolean {
  let messages: NetlinkMessage[];
  try {
    messages = decodeMessages(datagram);
  } catch {
    return true;
  }
  return messages.length === 0 || messages.some((m) => !BLIND_TO_RELEASES.includes(m.type));
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

  /** One datagram of the properties', once every detached user's release is confirmed if it could see one. */
  exchange(datagram: Uint8Array): Uint8Array[] {
    if (seesReleases(datagram)) this.settle();
    if (datagram.length >= 6 && (datagram[4]! | (datagram[5]! << 8)) === cttimeoutType(IPCTNL_MSG_TIMEOUT_DEFAULT_SET))
      this.defaultsTouched = true;
    return this.link.exchange(datagram);
  }

  /**
   * Adds a user. Releases of other policies go on; one of this policy is waited out first, so that the next
   * detach reads its USE afresh rather than counting on through the attach: a kernel whose refused attach drops a
   * reference (6.12, docs/iut-kernel-versions.md) then shows a USE unlike the model's, not a release that never
   * reaches the count.
   */
  attach(request: AttachRequest): { errno: number; ref?: string } {
    const name = request.name.length > 0 ? request.name : null;
    if (name && this.releasing.has(policyKey(name))) this.settle();
    const r = this.users.attach(request);
    if (r.ref !== undefined) this.holding.set(r.ref, name);
    return r;
  }

  /** Deletes the user's rule; undefined when the ref is unknown. Its release is confirmed later (settle). */
  detach(ref: string): number | undefined {
    const name = this.holding.get(ref);
    const running = name ? this.releasing.get(policyKey(name)) : undefined;
    // USE once every release is done, this user's reference still in: counted on, or (none running) as GET says.
    const before = running ? running.use : name ? this.control.use(name) : undefined;
    const errno = this.users.detach(ref);
    if (errno === undefined) return undefined;
    this.holding.delete(ref);
    if (name && before !== undefined) this.releasing.set(policyKey(name), { name, use: before - 1 });
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

  /** Whether every reference to the slot's policies is gone (a look, no wait): a retired slot's rules released. */
  released(): boolean {
    return this.control.dump().every((p) => p.use === 1);
  }

  /**
   * Makes the slot's cttimeout state fresh again, verified: every reference
   * released, every policy deleted, and defaults restored if a DEFAULT_SET
   * was sent or they differ (whoever changed them).
   */
  renew(): void {
    this.retire();
    let listed = this.control.dump();
    const released = () => listed.every((p) => p.use === 1);
    if (!released()) {
      awaitNfTablesDestroy();
      waitFor("the release of every policy", () => {
        listed = this.control.dump();
        return released();
      });
    }
    if (listed.length > 0) {
      this.control.errno(IPCTNL_MSG_TIMEOUT_DELETE, []);
      if (this.control.dump().length > 0) throw new Error("cttimeout: policies survived delete-all");
    }
    this.restoreDefaults();
  }

  /**
   * Every tracker's defaults read in one round trip; those a DEFAULT_SET may have changed, or that differ, set
   * back in another.
   */
  private restoreDefaults(): void {
    const family = (t: (typeof TRACKERS)[number]) => [
      attrBe16(CTA_TIMEOUT_L3PROTO, 2),
      attrU8(CTA_TIMEOUT_L4PROTO, t.l4proto),
    ];
    const now = this.control
      .requestEach(TRACKERS.map((t) => ({ msg: IPCTNL_MSG_TIMEOUT_DEFAULT_GET, flags: 0, attributes: family(t) })))
      .map(([m]) =>
        m && m.type === cttimeoutType(IPCTNL_MSG_TIMEOUT_DEFAULT_SET)
          ? decodeDefaultsMessage(m).data.map(([, v]) => v)
          : [],
      );
    const restore = TRACKERS.filter(
      (t, i) => this.defaultsTouched || JSON.stringify(now[i]) !== JSON.stringify(DEFAULT_SECONDS[t.defaults]),
    );
    // L3PROTO too: kernels before 2024 (6.1 measured) refuse a DEFAULT_SET without it (EINVAL).
    const acks = this.control.requestEach(
      restore.map((t) => ({
        msg: IPCTNL_MSG_TIMEOUT_DEFAULT_SET,
        flags: NLM_F_ACK,
        attributes: [...family(t), dataAttribute(DEFAULT_SECONDS[t.defaults].map((s, i) => [i + 1, s]))],
      })),
    );
    restore.forEach((t, i) => {
      const err = acks[i]!.find((m) => m.type === NLMSG_ERROR);
      const errno = err ? decodeErrorMessage(err).errno : -1;
      if (errno !== 0) throw new Error(`cttimeout: restoring the ${t.name} defaults failed: errno ${errno}`);
    });
    this.defaultsTouched = false;
  }

  close(): void {
    this.users.close();
    this.control.close();
    this.link.close();
    this.namespace?.close();
  }
}
