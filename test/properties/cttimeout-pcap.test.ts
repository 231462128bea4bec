// A saved cttimeout case keeps its netlink messages as a LINKTYPE_NETLINK pcap,
// and tshark dissects them as netfilter netlink.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ModelIut } from "../../iut/model/model-iut.js";
import { CTTIMEOUT_AREA } from "../../properties/cttimeout/area.js";
import { usersScenario } from "../../properties/cttimeout/generators.js";
import { findExecutable } from "../../sys/namespace.js";
import { LINKTYPE_NETLINK, writePcap } from "../../wire/pcap.js";
import { tempDirs } from "../temp-dirs.js";

const tempDir = tempDirs();

describe("cttimeout case pcaps", () => {
  it.skipIf(!findExecutable("tshark"))(
    "are netlink captures tshark dissects as netfilter (subsystem cttimeout)",
    async () => {
      const property = CTTIMEOUT_AREA.properties.find((p) => p.name === "replies-match-model")!;
      const [input] = fc.sample(usersScenario(), { seed: 3, numRuns: 1 });
      const iut = new ModelIut();
      await iut.call("reset", {});
      const outcome = await property.check(input, { iut, profile: "linux" });
      const packets = property.packets!(input, outcome)!;
      expect(packets.linktype).toBe(LINKTYPE_NETLINK);
      expect(packets.packets.length).toBeGreaterThan(1);
      const file = join(tempDir("nfconform-ctt-pcap-"), "case.pcap");
      writeFileSync(
        file,
        writePcap({
          linktype: packets.linktype,
          records: packets.packets.map((p, i) => ({ timestampUs: i, data: p.data })),
        }),
      );
      const r = spawnSync("tshark", ["-r", file, "-T", "fields", "-e", "frame.protocols"], { encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      const lines = r.stdout.trim().split("\n");
      expect(lines).toHaveLength(packets.packets.length);
      // Requests and data replies are nfnetlink; acks and NLMSG_DONE are plain netlink.
      expect(lines.filter((l) => /netlink-netfilter/.test(l)).length).toBeGreaterThan(0);
      expect(lines.every((l) => /^netlink/.test(l))).toBe(true);
      const detail = spawnSync("tshark", ["-r", file, "-V"], { encoding: "utf8" }).stdout;
      expect(detail).toMatch(/Family: Netfilter/);
    },
  );
});
