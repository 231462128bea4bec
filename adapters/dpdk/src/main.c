/* nfconform adapter for DPDK (docs/adapter-protocol.md): JSON Lines on
 * stdin/stdout, one request answered before the next. EAL runs without
 * hugepages, PCI or shared config (-m 64), so it needs root and nothing else;
 * its logs go to stderr, and so does anything a library prints to stdout. */
#include "mbufs.h"
#include "ops.h"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_version.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static FILE *out;

struct op {
	const char *name;
	struct reply (*handler)(json_t *req);
};

static const struct op OPS[] = {
	{ "frag6.run", frag6_run },	    { "checksum.fill", checksum_fill }, { "checksum.checkentry", checksum_checkentry },
	{ "bpf.load", bpf_load },	    { "bpf.run", bpf_run },	       { "bpf.unload", bpf_unload },
};

static int jit;

/* The version names how bpf programs run, so reports of the two modes differ. */
static const char *version(void)
{
	static char text[96];
	snprintf(text, sizeof(text), "%s (bpf %s)", rte_version(), jit ? "jit" : "interpreter");
	return text;
}

static struct reply hello(json_t *req)
{
	struct reply err;
	int64_t protocol;
	if (field_int(req, "protocol", 0, 1LL << 31, &protocol, &err) < 0)
		return err;
	return ok(json_pack("{s:s,s:s,s:[sss],s:{s:s,s:s,s:s}}", "name", "dpdk", "version", version(), "areas",
			    "frag6", "checksum", "bpf", "profiles", "frag6", "rfc8200", "checksum", "linux", "bpf",
			    "linux"));
}

static struct reply reset(json_t *req)
{
	(void)req;
	bpf_reset(); /* frag6 keeps no state between runs; checksum none at all */
	return ok(json_object());
}

static struct reply dispatch(const char *op, json_t *req)
{
	if (strcmp(op, "hello") == 0)
		return hello(req);
	if (strcmp(op, "reset") == 0)
		return reset(req);
	for (size_t i = 0; i < sizeof(OPS) / sizeof(OPS[0]); i++)
		if (strcmp(op, OPS[i].name) == 0)
			return OPS[i].handler(req);
	return fail("unsupported", "no op \"%s\" in this adapter", op);
}

static void send_reply(json_t *id, struct reply r)
{
	json_t *msg = r.result ? r.result : json_pack("{s:{s:s,s:s}}", "error", "code", r.error_code, "message", r.message);
	json_object_set(msg, "id", id ? id : json_null());
	char *line = json_dumps(msg, JSON_COMPACT);
	fprintf(out, "%s\n", line);
	fflush(out);
	free(line);
	json_decref(msg);
}

static void serve(void)
{
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, stdin) >= 0) {
		json_error_t error;
		json_t *req = json_loads(line, JSON_REJECT_DUPLICATES, &error);
		json_t *id = json_object_get(req, "id");
		json_t *op = json_object_get(req, "op");
		if (!json_is_object(req))
			send_reply(NULL, fail("invalid", "the request is not a JSON object"));
		else if (!json_is_integer(id))
			send_reply(NULL, fail("invalid", "the request has no integer \"id\""));
		else if (!json_is_string(op))
			send_reply(id, fail("invalid", "the request has no string \"op\""));
		else
			send_reply(id, dispatch(json_string_value(op), req));
		json_decref(req);
	}
	free(line);
}

int main(int argc, char **argv)
{
	/* `--jit`: bpf programs run as the JIT compiled them, not interpreted. */
	jit = argc > 1 && strcmp(argv[1], "--jit") == 0;
	bpf_use_jit(jit);
	/* The protocol owns the real stdout; fd 1 becomes stderr for everyone else. */
	out = fdopen(dup(STDOUT_FILENO), "w");
	dup2(STDERR_FILENO, STDOUT_FILENO);
	rte_openlog_stream(stderr);
	/* The verifier logs every refusal, a line per unreachable instruction: lib.bpf is quiet. */
	char *eal[] = { argv[0],	    "--no-huge",     "--no-pci",    "--no-shconf",	  "--no-telemetry",
			"-m",		    "64",	     "-l",	    "0",		  "--log-level",
			"lib.eal:error", "--log-level", "*:warning", "--log-level", "lib.bpf:critical",
			NULL };
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) < 0) {
		fprintf(stderr, "dpdk adapter: rte_eal_init failed: %s (it needs root)\n", rte_strerror(rte_errno));
		return 1;
	}
	if (mbufs_init() < 0) {
		fprintf(stderr, "dpdk adapter: rte_pktmbuf_pool_create failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	serve();
	rte_eal_cleanup();
	return 0;
}
