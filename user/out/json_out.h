/* A small buffered JSON writer for the speedscope and chrome formats.
 * They stream millions of numbers: one fprintf per number would cost more
 * than the rest of the writer, and a jansson tree of them more memory. */
#ifndef JSON_OUT_H
#define JSON_OUT_H

#include <stdint.h>
#include <stdio.h>

struct json_out {
	FILE *out;
	size_t n;
	int err;		/* -EIO once a write failed */
	char buf[1 << 16];
};

void json_init(struct json_out *j, FILE *out);

/* Text as is (JSON syntax written by the caller). */
void json_raw(struct json_out *j, const char *s);
void json_bytes(struct json_out *j, const char *s, size_t len);
void json_char(struct json_out *j, char c);

/* A string, quoted and escaped (control characters, DEL and C1 too, as
 * \u00XX); bytes that are not valid UTF-8 become U+FFFD, so that every
 * JSON parser takes the file. */
void json_str(struct json_out *j, const char *s);

void json_u64(struct json_out *j, uint64_t v);
void json_i64(struct json_out *j, int64_t v);

/* A double as printf's %.9g (finite values only). */
void json_double(struct json_out *j, double v);

/* Flushes to the FILE: 0 or -EIO. */
int json_finish(struct json_out *j);

#endif /* JSON_OUT_H */
