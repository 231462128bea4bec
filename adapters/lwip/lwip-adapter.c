/*
 * lwip: lwIP 2.1.3's IPv6 reassembly (Debian liblwip-dev, NO_SYS 0) behind the
 * nfconform adapter protocol (docs/adapter-protocol.md), area frag6.
 *
 * Each packet goes in through a netif's input (ip6_input), as a driver hands
 * it over; lwIP's own timers (ip6_reass_tmr every IP6_REASS_TMR_INTERVAL,
 * among the others) run from sys_check_timeouts() on a virtual clock: this
 * program defines sys_now(), which liblwip calls through its PLT, so the
 * case's virtual milliseconds are lwIP's. What reaches the upper layers is
 * read where ip6_input hands it to them: raw_input() (also interposed; it
 * records the packet, then calls lwIP's own), with the IPv6 header in front,
 * exactly as raw sockets see it. ICMPv6 errors are read from the netif's
 * output. Nothing lwIP does is corrected here.
 *
 * lwIP runs threaded (tcpip_init); once it is up this thread takes the core
 * lock for good, so the tcpip thread never runs a timer or a packet itself.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <sys/wait.h>

#include "lwip/init.h"
#include "lwip/ip6.h"
#include "lwip/ip6_addr.h"
#include "lwip/ip6_frag.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/prot/icmp6.h"
#include "lwip/prot/ethernet.h"
#include "lwip/priv/raw_priv.h"
#include "lwip/raw.h"
#include "lwip/tcpip.h"
#include "lwip/timeouts.h"

#ifndef LWIP_DEB_VERSION
#define LWIP_DEB_VERSION "unknown"
#endif

/* The protocol's frag6 defaults; lwIP's own limits are compile-time (README). */
#define DEFAULT_TIMEOUT_MS 60000
#define DEFAULT_HIGH_THRESH 4194304
#define DEFAULT_LOW_THRESH 3145728
/* After the last event: lwIP expires a queue after IPV6_REASS_MAXAGE (60) + 1 ticks of 1 s. */
#define RUN_ON_MS ((IPV6_REASS_MAXAGE + 2) * IP6_REASS_TMR_INTERVAL)

/* ---- the virtual clock lwIP reads ---- */

static u32_t virtual_now;

u32_t sys_now(void) { return virtual_now; }

/* Runs every lwIP timer due up to `target`, in order, each at its own time. */
static void advance_to(u32_t target) {
  sys_check_timeouts();
  while (virtual_now < target) {
    u32_t sleep = sys_timeouts_sleeptime();
    if (sleep == SYS_TIMEOUTS_SLEEPTIME_INFINITE || sleep > target - virtual_now)
      virtual_now = target;
    else
      virtual_now += sleep == 0 ? 1 : sleep;
    sys_check_timeouts();
  }
}

/* ---- what one frag6.run observes ---- */

static json_t *delivered; /* [{"t", "packet"}] */
static json_t *icmp;      /* [{"t", "type", "code", "pointer"}] */
static u32_t run_base;
static int recording;

static json_t *hex_of(struct pbuf *p) {
  static const char digits[] = "0123456789abcdef";
  u16_t n = p->tot_len;
  unsigned char *bytes = malloc(n ? n : 1);
  char *hex = malloc(2u * n + 1);
  pbuf_copy_partial(p, bytes, n, 0);
  for (u16_t i = 0; i < n; i++) {
    hex[2 * i] = digits[bytes[i] >> 4];
    hex[2 * i + 1] = digits[bytes[i] & 15];
  }
  hex[2 * n] = 0;
  json_t *s = json_string(hex);
  free(bytes);
  free(hex);
  return s;
}

/* ip6_input hands every datagram it delivers to raw_input first, IPv6 header in front. */
raw_input_state_t raw_input(struct pbuf *p, struct netif *inp) {
  static raw_input_state_t (*lwip_raw_input)(struct pbuf *, struct netif *);
  if (!lwip_raw_input) lwip_raw_input = (raw_input_state_t(*)(struct pbuf *, struct netif *))dlsym(RTLD_NEXT, "raw_input");
  if (recording && p->len >= 1 && (((u8_t *)p->payload)[0] >> 4) == 6)
    json_array_append_new(delivered, json_pack("{s:I, s:o}", "t", (json_int_t)(virtual_now - run_base), "packet", hex_of(p)));
  return lwip_raw_input(p, inp);
}

/*
 * The netif's IPv6 output: ICMPv6 errors (types below 128) are what the
 * protocol reports, but for Port Unreachable (type 1 code 4): udp_input()'s
 * answer to a datagram already delivered, for want of a listener (the
 * protocol's upper layer takes every datagram).
 */
static err_t capture_output(struct netif *netif, struct pbuf *p, const ip6_addr_t *ipaddr) {
  (void)netif;
  (void)ipaddr;
  u8_t head[48];
  if (!recording || pbuf_copy_partial(p, head, sizeof head, 0) != sizeof head) return ERR_OK;
  if ((head[0] >> 4) != 6 || head[6] != IP6_NEXTH_ICMP6 || head[40] >= 128) return ERR_OK;
  if (head[40] == ICMP6_TYPE_DUR && head[41] == ICMP6_DUR_PORT) return ERR_OK;
  u32_t data = (u32_t)head[44] << 24 | (u32_t)head[45] << 16 | (u32_t)head[46] << 8 | head[47];
  json_array_append_new(icmp, json_pack("{s:I, s:i, s:i, s:I}", "t", (json_int_t)(virtual_now - run_base), "type",
                                        head[40], "code", head[41], "pointer", (json_int_t)data));
  return ERR_OK;
}

/* ---- the netif and lwIP's start ---- */

static struct netif iut_netif; /* the link every packet arrives on */

static err_t link_init(struct netif *netif) {
  netif->name[0] = 'n';
  netif->name[1] = 'f';
  netif->mtu = 1500;
  netif->output_ip6 = capture_output;
  netif->flags = NETIF_FLAG_LINK_UP;
  return ERR_OK;
}

static pthread_mutex_t started_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t started_cond = PTHREAD_COND_INITIALIZER;
static int started;

static void tcpip_started(void *arg) {
  (void)arg;
  pthread_mutex_lock(&started_lock);
  started = 1;
  pthread_cond_signal(&started_cond);
  pthread_mutex_unlock(&started_lock);
}

static void start_lwip(void) {
  tcpip_init(tcpip_started, NULL);
  pthread_mutex_lock(&started_lock);
  while (!started) pthread_cond_wait(&started_cond, &started_lock);
  pthread_mutex_unlock(&started_lock);
  LOCK_TCPIP_CORE(); /* for good: this thread drives lwIP from here on */
  netif_add_noaddr(&iut_netif, NULL, link_init, ip6_input);
  netif_set_default(&iut_netif);
  netif_set_up(&iut_netif);
  netif_set_link_up(&iut_netif);
}

/* ---- requests ---- */

struct failure {
  const char *code; /* NULL: none */
  char message[300];
};

static json_t *fail(struct failure *f, const char *code, const char *format, ...) {
  va_list args;
  va_start(args, format);
  f->code = code;
  vsnprintf(f->message, sizeof f->message, format, args);
  va_end(args);
  return NULL;
}

static int from_hex(const char *hex, unsigned char **out, size_t *len) {
  size_t n = strlen(hex);
  if (n % 2) return -1;
  *out = malloc(n / 2 ? n / 2 : 1);
  *len = n / 2;
  for (size_t i = 0; i < n; i++) {
    char c = hex[i];
    int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (v < 0) {
      free(*out);
      return -1;
    }
    (*out)[i / 2] = (unsigned char)(i % 2 ? ((*out)[i / 2] | v) : v << 4);
  }
  return 0;
}

struct event {
  json_int_t t;
  unsigned char *bytes;
  size_t len;
};

/* Makes each run's destinations the netif's own (slot 0 stays unused, as a iut_netif-local one would be). */
static const char *own_destinations(struct event *events, size_t n) {
  for (s8_t i = 1; i < LWIP_IPV6_NUM_ADDRESSES; i++) netif_ip6_addr_set_state(&iut_netif, i, IP6_ADDR_INVALID);
  s8_t used = 1;
  for (size_t e = 0; e < n; e++) {
    if (events[e].len < 40) continue;
    ip6_addr_t dst;
    memcpy(&dst.addr, events[e].bytes + 24, 16);
    ip6_addr_clear_zone(&dst);
    int known = 0;
    for (s8_t i = 1; i < used; i++) known |= ip6_addr_cmp_zoneless(netif_ip6_addr(&iut_netif, i), &dst);
    if (known) continue;
    if (used == LWIP_IPV6_NUM_ADDRESSES) return "more destinations than lwIP's LWIP_IPV6_NUM_ADDRESSES - 1 addresses per netif";
    netif_ip6_addr_set(&iut_netif, used, &dst);
    netif_ip6_addr_set_state(&iut_netif, used, IP6_ADDR_PREFERRED);
    used++;
  }
  return NULL;
}

static json_t *in_child(struct event *list, size_t n, json_int_t last, struct failure *f);

static json_int_t config_field(json_t *config, const char *name, json_int_t fallback) {
  json_t *v = config ? json_object_get(config, name) : NULL;
  return v ? json_integer_value(v) : fallback;
}

static json_t *frag6_run(json_t *req, struct failure *f) {
  json_t *events = json_object_get(req, "events");
  json_t *config = json_object_get(req, "config");
  if (!json_is_array(events)) return fail(f, "invalid", "frag6.run: \"events\" must be an array of {t, packet}");
  if (config && !json_is_object(config)) return fail(f, "invalid", "frag6.run: \"config\" must be an object");
  const char *fields[] = {"timeoutMs", "highThresh", "lowThresh"};
  for (int i = 0; config && i < 3; i++) {
    json_t *v = json_object_get(config, fields[i]);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
      return fail(f, "invalid", "frag6.run: config.%s must be a non-negative integer", fields[i]);
  }
  if (config_field(config, "timeoutMs", DEFAULT_TIMEOUT_MS) != DEFAULT_TIMEOUT_MS ||
      config_field(config, "highThresh", DEFAULT_HIGH_THRESH) != DEFAULT_HIGH_THRESH ||
      config_field(config, "lowThresh", DEFAULT_LOW_THRESH) != DEFAULT_LOW_THRESH)
    return fail(f, "invalid",
                "lwIP's reassembly timeout (IPV6_REASS_MAXAGE %d ticks of %d ms) and limit (IP_REASS_MAX_PBUFS %d) are "
                "compile-time: only the default config can be asked",
                IPV6_REASS_MAXAGE, IP6_REASS_TMR_INTERVAL, IP_REASS_MAX_PBUFS);
  size_t n = json_array_size(events);
  struct event *list = calloc(n ? n : 1, sizeof *list);
  const char *problem = NULL;
  json_int_t last = 0;
  for (size_t i = 0; i < n && !problem; i++) {
    json_t *e = json_array_get(events, i);
    json_t *t = json_object_get(e, "t");
    json_t *packet = json_object_get(e, "packet");
    if (!json_is_object(e) || !json_is_integer(t) || !json_is_string(packet))
      problem = "frag6.run: each event must be {\"t\": int, \"packet\": hex}";
    else if (json_integer_value(t) < last || json_integer_value(t) > 0x7fffffff)
      problem = "frag6.run: event times must be non-decreasing milliseconds";
    else if (from_hex(json_string_value(packet), &list[i].bytes, &list[i].len) != 0)
      problem = "frag6.run: a packet is not lowercase hex";
    else {
      last = list[i].t = json_integer_value(t);
      if (list[i].len + SIZEOF_ETH_HDR > 0xffff) {
        snprintf(f->message, sizeof f->message,
                 "frag6.run: packet %zu has %zu bytes; an lwIP pbuf holds at most 65535 with the Ethernet header", i,
                 list[i].len);
        f->code = "invalid";
      }
    }
  }
  if (problem) fail(f, "invalid", "%s", problem);
  if (!f->code) problem = own_destinations(list, n);
  if (!f->code && problem) fail(f, "invalid", "frag6.run: %s", problem);
  json_t *reply = NULL;
  if (!f->code) reply = in_child(list, n, last, f);
  for (size_t i = 0; i < n; i++) free(list[i].bytes);
  free(list);
  return reply;
}

/* One run in lwIP as it stands: the packets fed at their times, then time run on. */
static json_t *run_events(struct event *list, size_t n, json_int_t last, struct failure *f) {
  json_t *reply = NULL;
  {
    /* Every run starts on a tick boundary of lwIP's timers, so its outcome does not depend on the runs before. */
    run_base = (virtual_now / 1000 + 1) * 1000;
    advance_to(run_base);
    delivered = json_array();
    icmp = json_array();
    recording = 1;
    for (size_t i = 0; i < n; i++) {
      advance_to(run_base + (u32_t)list[i].t);
      /* As an Ethernet driver hands it over: the frame in one pbuf, ethernet_input() having hidden its 14-byte header. */
      struct pbuf *p = list[i].len + SIZEOF_ETH_HDR <= 0xffff
                           ? pbuf_alloc(PBUF_RAW, (u16_t)(list[i].len + SIZEOF_ETH_HDR), PBUF_RAM)
                           : NULL;
      if (p) pbuf_remove_header(p, SIZEOF_ETH_HDR);
      if (!p) {
        recording = 0;
        fail(f, "internal", "pbuf_alloc(%zu) failed", list[i].len);
        break;
      }
      pbuf_take(p, list[i].bytes, (u16_t)list[i].len);
      iut_netif.input(p, &iut_netif);
    }
    /* Time runs on until every queue has completed or expired. */
    if (!f->code) advance_to(run_base + (u32_t)last + RUN_ON_MS);
    recording = 0;
    if (!f->code) reply = json_pack("{s:o, s:o}", "delivered", delivered, "icmp", icmp);
    else {
      json_decref(delivered);
      json_decref(icmp);
    }
  }
  return reply;
}

/*
 * Copies what a run's child said (lwIP's printf diagnostics, its assertion
 * among them) to our stderr, and keeps its end as one line: newlines become
 * spaces, the last size - 1 bytes.
 */
static void pass_on(FILE *said, char *end, size_t size) {
  size_t used = 0;
  int c;
  rewind(said);
  while ((c = fgetc(said)) != EOF) {
    fputc(c, stderr);
    if (c == '\n') c = ' ';
    if (c == ' ' && (used == 0 || end[used - 1] == ' ')) continue;
    if (used == size - 1) {
      memmove(end, end + 1, size - 2);
      used--;
    }
    end[used++] = (char)c;
  }
  while (used > 0 && end[used - 1] == ' ') used--;
  end[used] = 0;
  fclose(said);
}

/*
 * Each run in a child process, a copy of lwIP as it was started: every run
 * begins from an empty reassembly state (lwIP has no call that drops its
 * queues), and an lwIP assertion that aborts (Debian builds them in) is
 * reported as what it is: `crashed`, with the signal and the assertion's
 * words, a finding about that run (docs/adapter-protocol.md); this adapter
 * lives on and answers the next request from lwIP as it was started.
 */
static json_t *in_child(struct event *list, size_t n, json_int_t last, struct failure *f) {
  int fds[2];
  if (pipe(fds) != 0) return fail(f, "internal", "pipe: %s", strerror(errno));
  /* The child's stderr, kept to quote the assertion it dies on (then passed on to ours). */
  FILE *said = tmpfile();
  if (!said) return fail(f, "internal", "tmpfile: %s", strerror(errno));
  fflush(stderr);
  pid_t child = fork();
  if (child < 0) return fail(f, "internal", "fork: %s", strerror(errno));
  if (child == 0) {
    close(fds[0]);
    /* lwIP prints its diagnostics (LWIP_PLATFORM_ASSERT) on stdout, which is fd 2's copy here (main). */
    dup2(fileno(said), STDOUT_FILENO);
    dup2(fileno(said), STDERR_FILENO);
    struct failure mine = {0};
    json_t *reply = run_events(list, n, last, &mine);
    if (!reply) reply = json_pack("{s:{s:s, s:s}}", "error", "code", mine.code, "message", mine.message);
    char *text = json_dumps(reply, JSON_COMPACT);
    FILE *out = fdopen(fds[1], "w");
    fputs(text, out);
    fclose(out);
    _exit(0);
  }
  close(fds[1]);
  FILE *in = fdopen(fds[0], "r");
  json_error_t error;
  json_t *reply = json_loadf(in, 0, &error);
  fclose(in);
  int status = 0;
  waitpid(child, &status, 0);
  char last_line[240] = "";
  pass_on(said, last_line, sizeof last_line);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    json_decref(reply);
    if (WIFSIGNALED(status))
      return fail(f, "crashed", "lwIP aborted (signal %d) during frag6.run: %s", WTERMSIG(status),
                  last_line[0] ? last_line : "(it said nothing on stderr)");
    return fail(f, "internal", "the run's process exited with status %d", WEXITSTATUS(status));
  }
  json_t *err = json_object_get(reply, "error");
  if (err) {
    fail(f, json_string_value(json_object_get(err, "code")), "%s", json_string_value(json_object_get(err, "message")));
    /* f->code points into reply: keep a static copy of the code. */
    static char code[16];
    snprintf(code, sizeof code, "%s", f->code);
    f->code = code;
    json_decref(reply);
    return NULL;
  }
  return reply;
}

static json_t *call(const char *op, json_t *req, struct failure *f) {
  if (strcmp(op, "hello") == 0) {
    json_t *protocol = json_object_get(req, "protocol");
    if (!json_is_integer(protocol) || json_integer_value(protocol) != 1)
      return fail(f, "unsupported", "protocol not 1 (this adapter speaks 1)");
    return json_pack("{s:i, s:s, s:s, s:[s], s:{s:s}}", "protocol", 1, "name", "lwip", "version",
                     "lwIP " LWIP_VERSION_STRING " (Debian liblwip-dev " LWIP_DEB_VERSION ")", "areas", "frag6",
                     "profiles", "frag6", "rfc8200");
  }
  if (strcmp(op, "reset") == 0) {
    /* Nothing to drop: every frag6.run runs in a fresh copy of lwIP (in_child). */
    return json_object();
  }
  if (strcmp(op, "frag6.run") == 0) return frag6_run(req, f);
  return fail(f, "unsupported", "lwip does not implement %s (only hello, reset and frag6.run)", op);
}

/* The protocol's stdout; fd 1 itself goes to stderr, where lwIP's own diagnostics (printf) belong. */
static FILE *protocol_out;

static void reply_line(json_t *reply) {
  char *line = json_dumps(reply, JSON_COMPACT);
  fputs(line, protocol_out);
  fputc('\n', protocol_out);
  fflush(protocol_out);
  free(line);
  json_decref(reply);
}

static void answer(const char *line) {
  json_error_t error;
  json_t *req = json_loads(line, 0, &error);
  struct failure f = {0};
  json_t *id = req ? json_object_get(req, "id") : NULL;
  json_t *idv = json_is_integer(id) ? json_integer(json_integer_value(id)) : json_null();
  json_t *result = NULL;
  if (!json_is_object(req))
    fail(&f, "invalid", "request is not a JSON object");
  else if (!json_is_integer(id))
    fail(&f, "invalid", "request: \"id\" must be an integer");
  else if (!json_is_string(json_object_get(req, "op")))
    fail(&f, "invalid", "request: \"op\" must be a string");
  else
    result = call(json_string_value(json_object_get(req, "op")), req, &f);
  if (f.code) {
    json_decref(result);
    result = json_pack("{s:{s:s, s:s}}", "error", "code", f.code, "message", f.message);
  }
  json_object_set_new(result, "id", idv);
  reply_line(result);
  json_decref(req);
}

int main(void) {
  protocol_out = fdopen(dup(1), "w");
  dup2(2, 1);
  start_lwip();
  char *line = NULL;
  size_t size = 0;
  ssize_t n;
  while ((n = getline(&line, &size, stdin)) > 0) {
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
    if (n == 0) continue;
    answer(line);
  }
  free(line);
  return 0;
}
