/* The adapter protocol's envelope for this adapter (docs/adapter-protocol.md):
 * reading a request's fields by their declaration (iut/ops/) and writing
 * replies. A field that breaks its declaration makes the op answer `invalid`. */
#ifndef NFC_PROTOCOL_H
#define NFC_PROTOCOL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* What an op handler gives back: a result object, or an error reply. */
struct reply {
	json_t *result;          /* owned; NULL when error_code is set */
	const char *error_code;  /* "unsupported" | "invalid" | "internal" */
	char message[512];
};

struct reply ok(json_t *result);
struct reply fail(const char *code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Field readers: each returns 0, or -1 with an `invalid` reply in *err. */
int field_hex(json_t *obj, const char *name, uint8_t **bytes, size_t *len, struct reply *err);
int field_int(json_t *obj, const char *name, int64_t min, int64_t max, int64_t *out, struct reply *err);
int field_bool(json_t *obj, const char *name, int *out, struct reply *err);
int field_enum(json_t *obj, const char *name, const char *const *values, int *out, struct reply *err);
int field_string(json_t *obj, const char *name, const char **out, struct reply *err);
int field_array(json_t *obj, const char *name, json_t **out, struct reply *err);

int hex_decode(const char *hex, uint8_t **bytes, size_t *len);
json_t *hex_encode(const uint8_t *bytes, size_t len);

#endif
