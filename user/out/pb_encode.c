/* The protobuf wire format, encoding side only
 * (https://protobuf.dev/programming-guides/encoding/). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "out/pb_encode.h"
#include "proc/text_escape.h"

int pb_reserve(struct pb *p, size_t more)
{
	if (p->err)
		return -1;
	if (p->n + more > p->cap) {
		size_t cap = p->cap ? p->cap : 4096;
		uint8_t *b;

		while (cap < p->n + more)
			cap *= 2;
		if (!(b = realloc(p->b, cap))) {
			p->err = -ENOMEM;
			return -1;
		}
		p->b = b;
		p->cap = cap;
	}
	return 0;
}

void pb_free(struct pb *p)
{
	free(p->b);
	p->b = NULL;
	p->n = p->cap = 0;
}

size_t pb_varint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* Base 128, least significant group first; the high bit says more follow. */
size_t pb_put_varint(uint8_t *out, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		out[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	out[n++] = (uint8_t)v;
	return n;
}

void pb_varint(struct pb *p, uint64_t v)
{
	if (!pb_reserve(p, 10))
		p->n += pb_put_varint(p->b + p->n, v);
}

void pb_uint(struct pb *p, int field, uint64_t v)
{
	if (!v)
		return;
	pb_varint(p, (uint64_t)field << 3 | PB_WIRE_VARINT);
	pb_varint(p, v);
}

void pb_append(struct pb *p, const void *data, size_t len)
{
	if (len && !pb_reserve(p, len)) {
		memcpy(p->b + p->n, data, len);
		p->n += len;
	}
}

void pb_bytes(struct pb *p, int field, const void *data, size_t len)
{
	pb_varint(p, (uint64_t)field << 3 | PB_WIRE_LEN);
	pb_varint(p, len);
	pb_append(p, data, len);
}

void pb_message(struct pb *p, int field, struct pb *sub)
{
	if (sub->err && !p->err)
		p->err = sub->err;
	pb_bytes(p, field, sub->b, sub->n);
	sub->n = 0;
}

void pb_packed(struct pb *p, int field, const uint64_t *v, size_t n)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++)
		len += pb_varint_len(v[i]);
	pb_varint(p, (uint64_t)field << 3 | PB_WIRE_LEN);
	pb_varint(p, len);
	if (pb_reserve(p, len))
		return;
	for (size_t i = 0; i < n; i++)
		p->n += pb_put_varint(p->b + p->n, v[i]);
}

void pb_string(struct pb *p, int field, const char *raw)
{
	char *u = text_utf8_dup(raw);

	if (!u) {
		p->err = -ENOMEM;
		return;
	}
	pb_bytes(p, field, u, strlen(u));
	free(u);
}
