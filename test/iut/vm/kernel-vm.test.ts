// The pieces of `--iut linux@<version>` that need no VM: the pins, the cache
// lookup and its one-line errors, the QEMU command line, the accelerator choice.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { accelChoice } from "../../../iut/vm/accel.js";
import { findKernel, kernelCacheRoot, parsePins, PINS_FILE, type CachedKernel } from "../../../iut/vm/kernel-cache.js";
import { kernelCommandLine, qemuArgs, type VmSpec } from "../../../iut/vm/qemu-args.js";
import { tempDirs } from "../../temp-dirs.js";

const tempDir = tempDirs();

const PINS = parsePins("# comment\n6.1 linux-image-6.1.0-57-amd64\n\n6.12 linux-image-6.12.118+deb12-amd64\n");

function fakeCache(pkg: string): string {
  const root = tempDir("nfconform-kernels-");
  const dir = join(root, "6.12");
  mkdirSync(dir);
  for (const file of ["vmlinuz", "initramfs.cpio.gz"]) writeFileSync(join(dir, file), "");
  writeFileSync(join(dir, "release"), "6.12.118+deb12-amd64\n");
  writeFileSync(join(dir, "package"), `${pkg}\n`);
  return root;
}

const KERNEL: CachedKernel = {
  version: "6.12",
  vmlinuz: "/c/6.12/vmlinuz",
  initramfs: "/c/6.12/initramfs.cpio.gz",
  release: "6.12.118+deb12-amd64",
  package: "linux-image-6.12.118+deb12-amd64",
};
const SPEC: VmSpec = {
  kernel: KERNEL,
  accel: "tcg",
  node: "/usr/bin/node",
  main: "/p/dist/cli/main.js",
  adapterArgs: ["--frag6", "conntrack"],
  socket: "/tmp/nfconform-vm-x/adapter.sock",
};

describe("kernel pins", () => {
  it("parses version and package per line, skipping comments and blanks", () => {
    expect([...PINS]).toEqual([
      ["6.1", "linux-image-6.1.0-57-amd64"],
      ["6.12", "linux-image-6.12.118+deb12-amd64"],
    ]);
  });
  it("the project's pins file names 6.1 and 6.12", () => {
    expect([...parsePins(readFileSync(PINS_FILE, "utf8")).keys()]).toEqual(["6.1", "6.12"]);
  });
});

describe("findKernel", () => {
  it("finds a fetched kernel with its release and package", () => {
    const root = fakeCache("linux-image-6.12.118+deb12-amd64");
    const kernel = findKernel("6.12", PINS, root);
    expect(kernel).toMatchObject({ release: "6.12.118+deb12-amd64", vmlinuz: join(root, "6.12", "vmlinuz") });
  });
  it("a missing image is a one-line error naming the command that fetches it", () => {
    const error = findKernel("6.1", PINS, fakeCache("x"));
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^kernel 6\.1 is not fetched .*; run scripts\/fetch-kernel 6\.1$/);
    expect((error as Error).message).not.toContain("\n");
  });
  it("an unpinned version names the pinned ones", () => {
    expect((findKernel("5.10", PINS, "/nonexistent") as Error).message).toBe(
      'no pinned kernel "5.10" (pinned: 6.1, 6.12; see scripts/kernel-packages)',
    );
  });
  it("a cached kernel from another package than the pin asks for a re-fetch", () => {
    const error = findKernel("6.12", PINS, fakeCache("linux-image-6.12.100+deb12-amd64")) as Error;
    expect(error.message).toMatch(
      /is linux-image-6\.12\.100\+deb12-amd64, but .* is pinned; run scripts\/fetch-kernel 6\.12$/,
    );
  });
  it("the cache root follows NFCONFORM_KERNELS, then XDG_CACHE_HOME", () => {
    expect(kernelCacheRoot({ NFCONFORM_KERNELS: "/k", XDG_CACHE_HOME: "/x" })).toBe("/k");
    expect(kernelCacheRoot({ XDG_CACHE_HOME: "/x" })).toBe("/x/nfconform/kernels");
  });
});

describe("QEMU command line", () => {
  const args = qemuArgs(SPEC);
  const valuesOf = (flag: string) => args.filter((_, i) => args[i - 1] === flag);

  it("has no network device and shares the host's files read-only", () => {
    expect(valuesOf("-nic")).toEqual(["none"]);
    expect(valuesOf("-virtfs")).toEqual([
      "local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap",
    ]);
    expect(args).toContain("-nodefaults");
  });
  it("puts the adapter on a named virtio-serial port behind the caller's socket, the console elsewhere", () => {
    expect(valuesOf("-chardev")).toEqual([
      "stdio,id=console,signal=off",
      "socket,id=adapter,path=/tmp/nfconform-vm-x/adapter.sock,server=on,wait=on",
    ]);
    expect(valuesOf("-device")).toEqual(["virtio-serial-pci", "virtserialport,chardev=adapter,name=nfconform"]);
    expect(valuesOf("-serial")).toEqual(["chardev:console"]);
  });
  it("boots the cached kernel with the accelerator asked for", () => {
    expect(valuesOf("-kernel")).toEqual([KERNEL.vmlinuz]);
    expect(valuesOf("-initrd")).toEqual([KERNEL.initramfs]);
    expect(valuesOf("-accel")).toEqual(["tcg"]);
    expect(valuesOf("-cpu")).toEqual(["max"]);
    expect(qemuArgs({ ...SPEC, accel: "kvm" }).join(" ")).toContain("-accel kvm -cpu host");
  });
  it("tells the guest's init node, main.js and the adapter's arguments", () => {
    expect(kernelCommandLine(SPEC)).toBe(
      "console=ttyS0 quiet loglevel=3 panic=-1 nfconform.node=/usr/bin/node nfconform.main=/p/dist/cli/main.js nfconform.args=--frag6,conntrack",
    );
    expect(kernelCommandLine({ ...SPEC, adapterArgs: [] })).not.toContain("nfconform.args");
  });
  it("refuses a path the kernel command line cannot carry", () => {
    expect(() => kernelCommandLine({ ...SPEC, main: "/my project/main.js" })).toThrow(
      'main.js path "/my project/main.js" cannot pass to the VM',
    );
  });
});

describe("accelerator choice", () => {
  it("is auto by default, kvm or tcg when asked, and refuses anything else", () => {
    expect(accelChoice({})).toBe("auto");
    expect(accelChoice({ NFCONFORM_VM_ACCEL: "tcg" })).toBe("tcg");
    expect(() => accelChoice({ NFCONFORM_VM_ACCEL: "hvf" })).toThrow('NFCONFORM_VM_ACCEL="hvf": use kvm, tcg or auto');
  });
});

describe("--iut linux@<version> from the command line", () => {
  const BIN = resolve(import.meta.dirname, "../../../bin/nfconform");
  const run = (args: string[]) =>
    spawnSync(BIN, args, { encoding: "utf8", env: { ...process.env, NFCONFORM_KERNELS: "/nonexistent-kernels" } });

  it("a kernel not fetched stops the run at once: exit 2, one line naming scripts/fetch-kernel", () => {
    const r = run(["run", "--iut", "linux@6.1", "--runs", "1", "--corpus", "none"]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(
      "nfconform: --iut linux@6.1: kernel 6.1 is not fetched (no /nonexistent-kernels/6.1/vmlinuz); run scripts/fetch-kernel 6.1",
    );
  });
  it("an unpinned version and the adapter's own --kernel say so too", () => {
    expect(run(["run", "--iut", "linux-nfct@5.10"]).stderr).toMatch(/--iut linux-nfct@5\.10: no pinned kernel "5\.10"/);
    const r = run(["adapter", "linux", "--kernel", "6.12"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/run scripts\/fetch-kernel 6\.12$/m);
  });
});
