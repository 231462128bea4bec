/* Area bpf: classic programs as DPDK users load pcap filters. The program
 * goes through rte_bpf_convert() (cBPF to eBPF, lib/bpf/bpf_convert.c, a
 * port of the kernel's bpf_convert_filter()) and rte_bpf_load() (DPDK's
 * verifier); each packet is an mbuf given to rte_bpf_exec(), whose return
 * value the `socket` attach point turns into accepted bytes, min(value,
 * length). A rejection's rte_errno is passed through as the errno: the
 * suite compares it with the kernel's, so a differing number is a finding.
 * DPDK has no iptables match: attach `xt_bpf` is declined. */
#include "ops.h"
#include "mbufs.h"

#include <pcap/bpf.h>
#include <rte_bpf.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PROGRAMS 4096

static const char *const ATTACH[] = { "socket", "xt_bpf", NULL };
enum { SOCKET };

static struct rte_bpf *programs[MAX_PROGRAMS];
static int use_jit;

void bpf_use_jit(int on)
{
	use_jit = on;
}

/* rte_bpf_exec() interprets; with the JIT chosen, the native code
 * rte_bpf_load() compiled (x86_64 has a JIT) runs instead, as
 * rte_bpf_eth_rx_elf_load(..., RTE_BPF_ETH_F_JIT) would. */
static uint64_t execute(const struct rte_bpf *bpf, struct rte_mbuf *m)
{
	struct rte_bpf_jit jit;
	if (use_jit && rte_bpf_get_jit(bpf, &jit) == 0 && jit.func)
		return jit.func(m);
	return rte_bpf_exec(bpf, m);
}

/* "dpdk-bpf-N" names programs[N]; -1 when it names none. */
static int handle_index(const char *handle)
{
	unsigned n;
	char end;
	if (sscanf(handle, "dpdk-bpf-%u%c", &n, &end) != 1 || n >= MAX_PROGRAMS || !programs[n])
		return -1;
	return (int)n;
}

static int read_program(json_t *list, struct bpf_insn **insns, struct reply *err)
{
	size_t n = json_array_size(list);
	if (n > 0xffff) {
		*err = fail("invalid", "\"program\" has more than 65535 instructions (struct sock_fprog.len is a u16)");
		return -1;
	}
	struct bpf_insn *p = calloc(n + 1, sizeof(*p));
	for (size_t i = 0; i < n; i++) {
		json_t *in = json_array_get(list, i);
		json_t *f[4];
		for (int j = 0; j < 4; j++)
			f[j] = json_array_get(in, j);
		static const json_int_t lo[] = { 0, 0, 0, -0x80000000LL }, hi[] = { 0xffff, 255, 255, 0xffffffffLL };
		int bad = !json_is_array(in) || json_array_size(in) != 4;
		for (int j = 0; j < 4 && !bad; j++)
			bad = !json_is_integer(f[j]) || json_integer_value(f[j]) < lo[j] || json_integer_value(f[j]) > hi[j];
		if (bad) {
			free(p);
			*err = fail("invalid", "program[%zu] must be [code 0..65535, jt 0..255, jf 0..255, k as u32 or s32]", i);
			return -1;
		}
		p[i].code = (u_short)json_integer_value(f[0]);
		p[i].jt = (u_char)json_integer_value(f[1]);
		p[i].jf = (u_char)json_integer_value(f[2]);
		p[i].k = (bpf_u_int32)json_integer_value(f[3]);
	}
	*insns = p;
	return (int)n;
}

/* A rejected program: its rte_errno, as the errno (it is a positive errno number). */
static struct reply rejected(const char *by)
{
	if (rte_errno <= 0)
		return fail("internal", "%s failed without setting rte_errno", by);
	return ok(json_pack("{s:i}", "errno", rte_errno));
}

struct reply bpf_load(json_t *req)
{
	json_t *list;
	int attach, slot;
	struct reply err;
	struct bpf_insn *insns;
	if (field_array(req, "program", &list, &err) < 0 || field_enum(req, "attach", ATTACH, &attach, &err) < 0)
		return err;
	int n = read_program(list, &insns, &err);
	if (n < 0)
		return err;
	if (attach != SOCKET) {
		free(insns);
		return fail("invalid", "DPDK has no iptables bpf match (xt_bpf); only socket-filter semantics apply");
	}
	for (slot = 0; slot < MAX_PROGRAMS && programs[slot]; slot++)
		;
	if (slot == MAX_PROGRAMS) {
		free(insns);
		return fail("internal", "%d programs are loaded: unload some", MAX_PROGRAMS);
	}
	struct bpf_program prog = { .bf_len = (u_int)n, .bf_insns = insns };
	rte_errno = 0;
	struct rte_bpf_prm *prm = rte_bpf_convert(&prog);
	if (!prm) {
		free(insns);
		return rejected("rte_bpf_convert");
	}
	/* A converted program that does not end in a return falls off its end, and
	 * rte_bpf_load()'s validator (22.11) then writes past its instruction
	 * graph (valgrind: "Invalid write ... after a block" in rte_bpf_load):
	 * declined rather than let it corrupt this process's heap. */
	if (n == 0 || BPF_CLASS(prog.bf_insns[n - 1].code) != BPF_RET) {
		rte_free(prm);
		free(insns);
		return fail("invalid", "the program does not end in a return: rte_bpf_load() of DPDK 22.11 overflows "
				       "its heap on it (see adapters/dpdk/README.md)");
	}
	rte_errno = 0;
	programs[slot] = rte_bpf_load(prm);
	rte_free(prm); /* rte_bpf_load() copied the instructions */
	free(insns);
	if (!programs[slot])
		return rejected("rte_bpf_load");
	char handle[32];
	snprintf(handle, sizeof(handle), "dpdk-bpf-%d", slot);
	return ok(json_pack("{s:i,s:s}", "errno", 0, "handle", handle));
}

struct reply bpf_run(json_t *req)
{
	const char *handle;
	json_t *packets;
	struct reply err;
	if (field_string(req, "handle", &handle, &err) < 0 || field_array(req, "packets", &packets, &err) < 0)
		return err;
	int slot = handle_index(handle);
	if (slot < 0)
		return fail("invalid", "no program is loaded with handle \"%s\"", handle);
	json_t *results = json_array();
	for (size_t i = 0; i < json_array_size(packets); i++) {
		json_t *hex = json_array_get(packets, i);
		uint8_t *bytes;
		size_t len;
		if (!json_is_string(hex) || hex_decode(json_string_value(hex), &bytes, &len) < 0) {
			json_decref(results);
			return fail("invalid", "packets[%zu] must be lowercase hex with an even number of digits", i);
		}
		struct rte_mbuf *m = mbuf_from(bytes, len);
		free(bytes);
		if (!m) {
			json_decref(results);
			return fail("internal", "the mbuf pool ran dry");
		}
		uint64_t value = execute(programs[slot], m);
		rte_pktmbuf_free(m);
		json_array_append_new(results, json_integer((json_int_t)(value < len ? value : len)));
	}
	return ok(json_pack("{s:o}", "results", results));
}

struct reply bpf_unload(json_t *req)
{
	const char *handle;
	struct reply err;
	if (field_string(req, "handle", &handle, &err) < 0)
		return err;
	int slot = handle_index(handle);
	if (slot < 0)
		return ok(json_pack("{s:i}", "errno", 2 /* ENOENT */));
	rte_bpf_destroy(programs[slot]);
	programs[slot] = NULL;
	return ok(json_pack("{s:i}", "errno", 0));
}

void bpf_reset(void)
{
	for (int i = 0; i < MAX_PROGRAMS; i++)
		if (programs[i]) {
			rte_bpf_destroy(programs[i]);
			programs[i] = NULL;
		}
}
