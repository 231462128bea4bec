// Linux errno numbers, the one home for every one the suite names: what the
// kernel returns, what the model predicts and what adapter replies carry
// (include/uapi/asm-generic/errno-base.h, errno.h). Numbers only: no FFI here,
// so the model may import it. sys/libc.ts maps numbers to names at run time.
export const EPERM = 1;
export const ENOENT = 2;
export const EINTR = 4;
export const E2BIG = 7;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EBUSY = 16;
export const EEXIST = 17;
export const ENODEV = 19;
export const EINVAL = 22;
export const ERANGE = 34;
export const ENAMETOOLONG = 36;
export const EPROTO = 71;
export const EOPNOTSUPP = 95;
export const EAFNOSUPPORT = 97;
export const ENOBUFS = 105;
