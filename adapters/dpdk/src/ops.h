/* The ops this adapter answers, one handler per protocol op. */
#ifndef NFC_OPS_H
#define NFC_OPS_H

#include "protocol.h"

struct reply frag6_run(json_t *req);
struct reply checksum_fill(json_t *req);
struct reply checksum_checkentry(json_t *req);
struct reply bpf_load(json_t *req);
struct reply bpf_run(json_t *req);
struct reply bpf_unload(json_t *req);
void bpf_reset(void);
void bpf_use_jit(int on);

#endif
