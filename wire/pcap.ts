// Classic libpcap file format (https://www.tcpdump.org/manpages/pcap-savefile.5.html):
// a 24-byte global header, then per packet a 16-byte record header and the bytes.
// Written little-endian with the microsecond magic 0xa1b2c3d4, which tcpdump,
// tshark and Wireshark all read.

export const LINKTYPE_RAW = 101; // raw IPv4 or IPv6, told apart by the version nibble
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_NETLINK = 253;

const MAGIC_MICROSECONDS = 0xa1b2c3d4;
const SNAPLEN = 262144;

export interface PcapRecord {
  /** Capture time in microseconds since the epoch (virtual time in our corpus). */
  timestampUs: number;
  data: Uint8Array;
}

export interface PcapFile {
  linktype: number;
  records: PcapRecord[];
}

export class PcapError extends Error {}

export function writePcap(file: PcapFile): Uint8Array {
  const size = 24 + file.records.reduce((n, r) => n + 16 + r.data.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC_MICROSECONDS, true);
  view.setUint16(4, 2, true); // version 2.4
  view.setUint16(6, 4, true);
  view.setInt32(8, 0, true); // thiszone
  view.setUint32(12, 0, true); // sigfigs
  view.setUint32(16, SNAPLEN, true);
  view.setUint32(20, file.linktype, true);
  let at = 24;
  for (const record of file.records) {
    if (record.data.length > SNAPLEN)
      throw new PcapError(`packet of ${record.data.length} bytes exceeds snaplen ${SNAPLEN}`);
    const seconds = Math.floor(record.timestampUs / 1e6);
    view.setUint32(at, seconds, true);
    view.setUint32(at + 4, record.timestampUs - seconds * 1e6, true);
    view.setUint32(at + 8, record.data.length, true);
    view.setUint32(at + 12, record.data.length, true);
    out.set(record.data, at + 16);
    at += 16 + record.data.length;
  }
  return out;
}

/** Reads a classic pcap (either byte order, micro- or nanosecond magic); `source` names the file in errors. */
export function readPcap(bytes: Uint8Array, source = "pcap"): PcapFile {
  if (bytes.length < 24)
    throw new PcapError(`${source}: ${bytes.length} bytes is shorter than the 24-byte pcap header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicLE = view.getUint32(0, true);
  let little: boolean;
  let nanos = false;
  if (magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d) {
    little = true;
    nanos = magicLE === 0xa1b23c4d;
  } else if (view.getUint32(0, false) === 0xa1b2c3d4 || view.getUint32(0, false) === 0xa1b23c4d) {
    little = false;
    nanos = view.getUint32(0, false) === 0xa1b23c4d;
  } else {
    throw new PcapError(`${source}: bad magic 0x${magicLE.toString(16)} (not a classic pcap file)`);
  }
  const linktype = view.getUint32(20, little) & 0x0fffffff;
  const records: PcapRecord[] = [];
  let at = 24;
  while (at < bytes.length) {
    if (at + 16 > bytes.length)
      throw new PcapError(`${source}: record ${records.length} header truncated at byte ${at}`);
    const seconds = view.getUint32(at, little);
    const fraction = view.getUint32(at + 4, little);
    const inclLen = view.getUint32(at + 8, little);
    if (at + 16 + inclLen > bytes.length) {
      throw new PcapError(
        `${source}: record ${records.length} at byte ${at} claims ${inclLen} bytes, only ${bytes.length - at - 16} remain`,
      );
    }
    records.push({
      timestampUs: seconds * 1e6 + (nanos ? Math.floor(fraction / 1000) : fraction),
      data: bytes.slice(at + 16, at + 16 + inclLen),
    });
    at += 16 + inclLen;
  }
  return { linktype, records };
}
