// The x86_64 layouts of struct msghdr, struct iovec and struct mmsghdr
// (include/linux/socket.h, include/uapi/linux/uio.h): the byte offsets that
// recvmsg.ts and recvmmsg.ts write into their native blocks.

/** struct msghdr: 56 bytes, each field's offset. */
export const MSGHDR = {
  size: 56,
  name: 0,
  namelen: 8,
  iov: 16,
  iovlen: 24,
  control: 32,
  controllen: 40,
  flags: 48,
} as const;

/** struct iovec: iov_base, iov_len. */
export const IOVEC = { size: 16, base: 0, len: 8 } as const;

/** struct mmsghdr: a msghdr, then unsigned int msg_len, padded to 64 bytes. */
export const MMSGHDR = { size: 64, len: MSGHDR.size } as const;
