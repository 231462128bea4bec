// The cttimeout area on the kernel: raw netlink messages on a CAP_ACK socket,
// users as nft_compat CT rules (users.ts), in slots, one namespace each
// (slot.ts). Reset retires the case's slot and renews the next one, verified
// fresh: no rules, every policy deleted once its references are gone, the
// defaults as the kernel's.
import { toHex } from "../../../wire/hex.js";
import { attrBe16, attrU8 } from "../../../wire/netlink/attributes.js";
import {
  CTA_TIMEOUT_L3PROTO,
  CTA_TIMEOUT_L4PROTO,
  IPCTNL_MSG_TIMEOUT_DEFAULT_SET,
  IPCTNL_MSG_TIMEOUT_DELETE,
  IPCTNL_MSG_TIMEOUT_GET,
  IPCTNL_MSG_TIMEOUT_NEW,
  cttimeoutType,
  dataAttribute,
  decodePolicyMessage,
  nameAttribute,
} from "../../../wire/netlink/cttimeout.js";
import { freshNamespace } from "../../../model/cttimeout/namespace.js";
import { storedSeconds } from "../../../model/cttimeout/protocols.js";
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
import { NetworkNamespace } from "../../../sys/netns.js";
import { EINVAL, ENOENT } from "../../../sys/errno.js";
import { Control } from "./control.js";
import { CttimeoutSlot } from "./slot.js";

const HZ_PROBE = new TextEncoder().encode("nfconform-hz-probe");

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
  // Netlink only: no packets, so no test network.
  testNetwork: false,
  create: cttimeoutArea,
};

/**
 * Slots the area turns through, one a case (slot.ts). A reset takes the next
 * slot in turn whose releases are all done, passing over one still in its
 * grace period (short cases come back to a slot within one: with three slots
 * and no passing over, 5% of resets waited, 13 ms each); only when every other
 * slot is still releasing does it wait, in renew().
 */
const SLOTS = 4;

function cttimeoutArea(): LinuxArea {
  // What reaches the kernel is screened by the rules of the profile it claims (a
  // HZ without a profile of its own has only the structure to go by: linux's).
  const profile = cttimeoutProfile();
  const classify = cttimeoutRules((CTTIMEOUT_PROFILES as readonly string[]).includes(profile) ? profile : "linux");
  const slots = openSlots(SLOTS);
  let at = 0;
  let slot = slots[0]!;
  // When each slot was last retired (a count of resets): the fallback is the one retired longest ago.
  const retiredAt = slots.map(() => -1);
  let resets = 0;

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
          replies.push(slot.exchange(m).map(toHex));
        }
        return netlink.writeReply({ replies });
      },
      "cttimeout.attach": (params) => {
        const r = slot.attach(readAttachRequest(params));
        if (r.ref === undefined) return cttimeoutAttach.writeReply({ errno: r.errno });
        return cttimeoutAttach.writeReply({ errno: 0, ref: r.ref });
      },
      "cttimeout.detach": (params) => {
        const errno = slot.detach(readDetachRequest(params));
        return cttimeoutDetach.writeReply({ errno: errno ?? ENOENT });
      },
    },
    reset: () => {
      slot.retire();
      retiredAt[at] = resets++;
      const others = slots.map((_, k) => (at + 1 + k) % slots.length).slice(0, slots.length - 1);
      // The next in turn whose releases are done; if none is, the one retired longest ago, which has least left to wait.
      at = others.find((k) => slots[k]!.released()) ?? others.reduce((a, b) => (retiredAt[b]! < retiredAt[a]! ? b : a));
      slot = slots[at]!;
      slot.renew();
    },
    // Another tool sees what a request would: every detached user's release done.
    enter: () => {
      slot.settle();
      slot.namespace?.enter();
    },
    close: () => {
      for (const s of slots) s.close();
    },
  };
}

/**
 * `n` slots: the first in the namespace the calling thread is in (the area's,
 * which the IUT owns), the others in fresh namespaces of the slots' own; the
 * thread is left where it was.
 */
function openSlots(n: number): CttimeoutSlot[] {
  const home = NetworkNamespace.current();
  const slots: CttimeoutSlot[] = [];
  try {
    slots.push(new CttimeoutSlot(null));
    while (slots.length < n) {
      const namespace = NetworkNamespace.create();
      try {
        slots.push(new CttimeoutSlot(namespace));
      } catch (error) {
        namespace.close();
        throw error;
      }
    }
    return slots;
  } catch (error) {
    for (const s of slots) s.close();
    throw error;
  } finally {
    home.enter();
    home.close();
  }
}
