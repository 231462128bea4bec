// The cttimeout area on the kernel: raw netlink messages on a CAP_ACK socket
// of our namespace, users as nft_compat CT rules (users.ts). Reset makes the
// namespace's cttimeout state fresh again: the rules flushed, every policy
// deleted once its references are gone, defaults restored if a DEFAULT_SET
// was sent.
import { toHex } from "../../../wire/hex.js";
import { attrBe16, attrU8 } from "../../../wire/netlink/attributes.js";
import {
  CTA_TIMEOUT_L3PROTO,
  CTA_TIMEOUT_L4PROTO,
  IPCTNL_MSG_TIMEOUT_DEFAULT_GET,
  IPCTNL_MSG_TIMEOUT_DEFAULT_SET,
  IPCTNL_MSG_TIMEOUT_DELETE,
  IPCTNL_MSG_TIMEOUT_GET,
  IPCTNL_MSG_TIMEOUT_NEW,
  cttimeoutType,
  dataAttribute,
  decodeDefaultsMessage,
  decodePolicyMessage,
  encodeCttimeoutRequest,
  nameAttribute,
} from "../../../wire/netlink/cttimeout.js";
import {
  decodeErrorMessage,
  decodeMessages,
  NLM_F_ACK,
  NLM_F_DUMP,
  NLM_F_REQUEST,
  NLMSG_DONE,
  NLMSG_ERROR,
} from "../../../wire/netlink/message.js";
import { freshNamespace } from "../../../model/cttimeout/namespace.js";
import { DEFAULT_SECONDS, TRACKERS, storedSeconds } from "../../../model/cttimeout/protocols.js";
import { receive, UnmodelledMessage } from "../../../model/cttimeout/receive.js";
import { CTTIMEOUT_PROFILES, cttimeoutRules, profileForHz } from "../../../model/cttimeout/rules.js";
import {
  cttimeoutAttach,
  cttimeoutDetach,
  netlink,
  readAttachRequest,
  readDetachRequest,
  readNetlinkRequest,
} from "../../ops/cttimeout.js";
import { invalid } from "../../ops/op.js";
import type { LinuxArea, LinuxAreaKind } from "../linux-area.js";
import { NetlinkExchange } from "./netlink-exchange.js";
import { LinuxCttimeoutUsers } from "./users.js";
import { EINVAL, ENOENT } from "../../../sys/errno.js";
import { sleepSync } from "../../../sys/sleep.js";

const CONTROL_SEQ = 0x60000000;
const HZ_PROBE = new TextEncoder().encode("nfconform-hz-probe");

/** Our own requests (reset, probes) on a socket of their own, read strictly. */
class Control {
  private readonly link = new NetlinkExchange();
  private seq = CONTROL_SEQ;

  request(msg: number, flags: number, attributes: Uint8Array[]) {
    return this.link
      .exchange(encodeCttimeoutRequest({ msg, flags: NLM_F_REQUEST | flags, seq: this.seq++, attributes }))
      .flatMap((r) => decodeMessages(r));
  }

  errno(msg: number, attributes: Uint8Array[]): number {
    const err = this.request(msg, NLM_F_ACK, attributes).find((m) => m.type === NLMSG_ERROR);
    return err ? decodeErrorMessage(err).errno : -1;
  }

  dump() {
    return this.request(IPCTNL_MSG_TIMEOUT_GET, NLM_F_DUMP, [])
      .filter((m) => m.type !== NLMSG_DONE)
      .map(decodePolicyMessage);
  }

  use(name: Uint8Array): number | undefined {
    const m = this.request(IPCTNL_MSG_TIMEOUT_GET, 0, [nameAttribute(name)]).find(
      (x) => x.type === cttimeoutType(IPCTNL_MSG_TIMEOUT_NEW),
    );
    return m ? decodePolicyMessage(m).use : undefined;
  }

  close(): void {
    this.link.close();
  }
}

/**
 * Waits until `done()` holds: nf_tables destroys a deleted rule's target after an RCU grace period, off the commit path.
 * Milliseconds on a host; an emulated VM (`--iut linux@<version>` under TCG) took over 3 s, so the cap is generous.
 */
function waitFor(what: string, done: () => boolean, timeoutMs = 30_000): void {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`cttimeout: ${what} did not happen within ${timeoutMs} ms`);
    sleepSync(1);
  }
}

/** CONFIG_HZ from the wrap of the largest timeout (protocols.ts storedSeconds). */
function measureHz(control: Control): number | null {
  control.errno(IPCTNL_MSG_TIMEOUT_NEW, [
    nameAttribute(HZ_PROBE),
    attrBe16(CTA_TIMEOUT_L3PROTO, 2),
    attrU8(CTA_TIMEOUT_L4PROTO, 255),
    dataAttribute([[1, 0xffffffff]]),
  ]);
  const m = control
    .request(IPCTNL_MSG_TIMEOUT_GET, 0, [nameAttribute(HZ_PROBE)])
    .find((x) => x.type === cttimeoutType(IPCTNL_MSG_TIMEOUT_NEW));
  control.errno(IPCTNL_MSG_TIMEOUT_DELETE, [nameAttribute(HZ_PROBE)]);
  const seen = m ? decodePolicyMessage(m).data[0]?.[1] : undefined;
  return (
    [100, 250, 300, 1000, 24, 32, 48, 64, 128, 256, 512, 1024].find((hz) => storedSeconds(0xffffffff, hz) === seen) ??
    null
  );
}

/** Whether DEFAULT_SET without L3PROTO is refused (EINVAL); probed with the generic tracker's default, 600 s. */
function defaultSetNeedsL3(control: Control): boolean {
  const errno = control.errno(IPCTNL_MSG_TIMEOUT_DEFAULT_SET, [
    attrU8(CTA_TIMEOUT_L4PROTO, 255),
    dataAttribute([[1, 600]]),
  ]);
  return errno === EINVAL;
}

/**
 * The profile this kernel claims, probed in the namespace the calling thread is
 * in (the probe policy is deleted and DEFAULT_SET writes the generic tracker's
 * default back): CONFIG_HZ and the DEFAULT_SET rule are the kernel's, the same
 * in every namespace.
 */
function cttimeoutProfile(): string {
  probedProfile ??= probeProfile();
  return probedProfile;
}
let probedProfile: string | undefined;

function probeProfile(): string {
  const control = new Control();
  try {
    const hz = measureHz(control);
    const byHz = (hz !== null && profileForHz(hz)) || `linux-hz${hz ?? "unknown"}`;
    // A kernel that still wants L3PROTO in DEFAULT_SET is 6.1's era (the version profile exists at HZ 250 only).
    return byHz === "linux" && defaultSetNeedsL3(control) ? "linux-6.1" : byHz;
  } finally {
    control.close();
  }
}

export const cttimeoutKind: LinuxAreaKind = {
  name: "cttimeout",
  ops: [netlink.op, cttimeoutAttach.op, cttimeoutDetach.op],
  profile: cttimeoutProfile,
  create: cttimeoutArea,
};

function cttimeoutArea(): LinuxArea {
  const link = new NetlinkExchange();
  const control = new Control();
  const users = new LinuxCttimeoutUsers();
  // What reaches the kernel is screened by the rules of the profile it claims (a
  // HZ without a profile of its own has only the structure to go by: linux's).
  const profile = cttimeoutProfile();
  const classify = cttimeoutRules((CTTIMEOUT_PROFILES as readonly string[]).includes(profile) ? profile : "linux");
  /** The policy each of our users holds, by ref (null: none), to wait for its release on detach. */
  const holding = new Map<string, Uint8Array | null>();
  let defaultsTouched = false;

  return {
    handlers: {
      netlink: (params) => {
        const messages = readNetlinkRequest(params);
        const replies: string[][] = [];
        for (const m of messages) {
          // Only what the protocol allows reaches the kernel: cttimeout requests, no batches.
          try {
            receive(freshNamespace(), m, classify);
          } catch (error) {
            if (error instanceof UnmodelledMessage) throw invalid(netlink.op, error.message);
            throw error;
          }
          if (m.length >= 6 && (m[4]! | (m[5]! << 8)) === cttimeoutType(IPCTNL_MSG_TIMEOUT_DEFAULT_SET))
            defaultsTouched = true;
          replies.push(link.exchange(m).map(toHex));
        }
        return netlink.writeReply({ replies });
      },
      "cttimeout.attach": (params) => {
        const request = readAttachRequest(params);
        const r = users.attach(request);
        if (r.ref === undefined) return cttimeoutAttach.writeReply({ errno: r.errno });
        holding.set(r.ref, request.name.length > 0 ? request.name : null);
        return cttimeoutAttach.writeReply({ errno: 0, ref: r.ref });
      },
      "cttimeout.detach": (params) => {
        const ref = readDetachRequest(params);
        const name = holding.get(ref);
        const before = name ? control.use(name) : undefined;
        const errno = users.detach(ref);
        if (errno === undefined) return cttimeoutDetach.writeReply({ errno: ENOENT });
        holding.delete(ref);
        if (name && before !== undefined)
          waitFor(`the release of policy ${toHex(name)}`, () => control.use(name) === before - 1);
        return cttimeoutDetach.writeReply({ errno });
      },
    },
    reset: () => {
      users.flush();
      holding.clear();
      waitFor("the release of every policy", () => control.dump().every((p) => p.use === 1));
      if (control.dump().length > 0) {
        control.errno(IPCTNL_MSG_TIMEOUT_DELETE, []);
        if (control.dump().length > 0) throw new Error("cttimeout: policies survived delete-all");
      }
      // Whoever changed them (our DEFAULT_SETs, or another client of the namespace), put the defaults back.
      for (const t of TRACKERS) {
        const seconds = DEFAULT_SECONDS[t.defaults];
        const m = control.request(IPCTNL_MSG_TIMEOUT_DEFAULT_GET, 0, [
          attrBe16(CTA_TIMEOUT_L3PROTO, 2),
          attrU8(CTA_TIMEOUT_L4PROTO, t.l4proto),
        ])[0];
        const now =
          m && m.type === cttimeoutType(IPCTNL_MSG_TIMEOUT_DEFAULT_SET)
            ? decodeDefaultsMessage(m).data.map(([, v]) => v)
            : [];
        if (!defaultsTouched && JSON.stringify(now) === JSON.stringify(seconds)) continue;
        // L3PROTO too: kernels before 2024 (6.1 measured) refuse a DEFAULT_SET without it (EINVAL).
        const errno = control.errno(IPCTNL_MSG_TIMEOUT_DEFAULT_SET, [
          attrBe16(CTA_TIMEOUT_L3PROTO, 2),
          attrU8(CTA_TIMEOUT_L4PROTO, t.l4proto),
          dataAttribute(seconds.map((s, i) => [i + 1, s])),
        ]);
        if (errno !== 0) throw new Error(`cttimeout: restoring the ${t.name} defaults failed: errno ${errno}`);
      }
      defaultsTouched = false;
    },
    close: () => {
      users.close();
      control.close();
      link.close();
    },
  };
}
