// A tap device (drivers/net/tun.c) whose frames we write: each write() is one
// frame the device receives, handed to the stack before write() returns
// (tun_get_user(), no NAPI). With IFF_VNET_HDR every frame starts with a
// struct virtio_net_hdr, which virtio_net_hdr_to_skb() turns into the skb's
// checksum state and GSO fields (wire/virtio-net-hdr.ts).
import { closeSync, openSync, writeSync } from "node:fs";
import { ioctl } from "./libc.js";
import { assertPrivateNetns } from "./namespace.js";

const TUNSETIFF = 0x400454ca; // _IOW('T', 202, int)
const IFF_TAP = 0x0002;
const IFF_NO_PI = 0x1000;
const IFF_VNET_HDR = 0x4000;
const IFREQ = 40;

export class TapDevice {
  private closed = false;

  private constructor(
    readonly name: string,
    private readonly fd: number,
  ) {}

  /**
   * Creates tap `name` in the calling thread's network namespace (the one
   * /dev/net/tun is opened in); it lives while this object is open. The
   * caller brings it up and gives it its address. `tunPath` is the clone
   * device (tests name a missing one to stand for a machine without tun).
   */
  static create(name: string, tunPath = "/dev/net/tun"): TapDevice {
    assertPrivateNetns(`tap device ${name}`);
    const encoded = new TextEncoder().encode(name);
    if (encoded.length > 15) throw new Error(`tap device name too long: ${name}`);
    let fd: number;
    try {
      fd = openSync(tunPath, "r+");
    } catch (error) {
      // A container without --device /dev/net/tun, or no tun module: say which file and why.
      throw new Error(`cannot open ${tunPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    try {
      // struct ifreq { char ifr_name[16]; short ifr_flags; ... }
      const request = new Uint8Array(IFREQ);
      request.set(encoded, 0);
      new DataView(request.buffer).setUint16(16, IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, true);
      ioctl(fd, TUNSETIFF, request);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    return new TapDevice(name, fd);
  }

  /** The device receives `frame`: a virtio_net_hdr, then an Ethernet frame. */
  receive(frame: Uint8Array): void {
    const written = writeSync(this.fd, frame);
    if (written !== frame.length) throw new Error(`tap ${this.name}: ${written} of ${frame.length} bytes written`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}
