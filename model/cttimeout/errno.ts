// Errno values (include/uapi/asm-generic/errno-base.h, errno.h) the area uses.
export const ENOENT = 2;
export const EBUSY = 16;
export const EEXIST = 17;
export const EINVAL = 22;
export const ERANGE = 34;
export const ENAMETOOLONG = 36;
export const EOPNOTSUPP = 95;
/** Not an errno a reply carries: netlink_dump_start()'s "do not ack" return. */
export const EINTR = 4;
