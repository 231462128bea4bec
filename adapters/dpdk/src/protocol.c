/* Request field readers and reply builders (see protocol.h). */
#include "protocol.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reply ok(json_t *result)
{
	struct reply r = { .result = result };
	return r;
}

struct reply fail(const char *code, const char *fmt, ...)
{
	struct reply r = { .error_code = code };
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r.message, sizeof(r.message), fmt, ap);
	va_end(ap);
	return r;
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1; /* the protocol's hex is lowercase */
}

int hex_decode(const char *hex, uint8_t **bytes, size_t *len)
{
	size_t n = strlen(hex);
	if (n % 2)
		return -1;
	uint8_t *out = malloc(n / 2 + 1);
	if (!out)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(out);
			return -1;
		}
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*bytes = out;
	*len = n / 2;
	return 0;
}

json_t *hex_encode(const uint8_t *bytes, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char *s = malloc(2 * len + 1);
	for (size_t i = 0; i < len; i++) {
		s[2 * i] = digits[bytes[i] >> 4];
		s[2 * i + 1] = digits[bytes[i] & 15];
	}
	s[2 * len] = 0;
	json_t *j = json_string(s);
	free(s);
	return j;
}

static json_t *present(json_t *obj, const char *name, struct reply *err)
{
	json_t *v = json_object_get(obj, name);
	if (!v)
		*err = fail("invalid", "\"%s\" is missing", name);
	return v;
}

int field_hex(json_t *obj, const char *name, uint8_t **bytes, size_t *len, struct reply *err)
{
	json_t *v = present(obj, name, err);
	if (!v)
		return -1;
	if (!json_is_string(v) || hex_decode(json_string_value(v), bytes, len) < 0) {
		*err = fail("invalid", "\"%s\" must be lowercase hex with an even number of digits", name);
		return -1;
	}
	return 0;
}

int field_int(json_t *obj, const char *name, int64_t min, int64_t max, int64_t *out, struct reply *err)
{
	json_t *v = present(obj, name, err);
	if (!v)
		return -1;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
		*err = fail("invalid", "\"%s\" must be an integer from %lld to %lld", name, (long long)min,
			    (long long)max);
		return -1;
	}
	*out = json_integer_value(v);
	return 0;
}

int field_bool(json_t *obj, const char *name, int *out, struct reply *err)
{
	json_t *v = present(obj, name, err);
	if (!v)
		return -1;
	if (!json_is_boolean(v)) {
		*err = fail("invalid", "\"%s\" must be true or false", name);
		return -1;
	}
	*out = json_is_true(v);
	return 0;
}

int field_enum(json_t *obj, const char *name, const char *const *values, int *out, struct reply *err)
{
	json_t *v = present(obj, name, err);
	if (!v)
		return -1;
	for (int i = 0; json_is_string(v) && values[i]; i++)
		if (strcmp(json_string_value(v), values[i]) == 0) {
			*out = i;
			return 0;
		}
	*err = fail("invalid", "\"%s\" is not one of its declared values", name);
	return -1;
}

int field_string(json_t *obj, const char *name, const char **out, struct reply *err)
{
	json_t *v = present(obj, name, err);
	if (!v)
		return -1;
	if (!json_is_string(v) || json_string_length(v) == 0) {
		*err = fail("invalid", "\"%s\" must be a non-empty string", name);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

int field_array(json_t *obj, const char *name, json_t **out, struct reply *err)
{
	json_t *v = present(obj, name, err);
	if (!v)
		return -1;
	if (!json_is_array(v)) {
		*err = fail("invalid", "\"%s\" must be an array", name);
		return -1;
	}
	*out = v;
	return 0;
}
