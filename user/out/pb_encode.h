/* A minimal protobuf encoder: varints, length-delimited fields, embedded
 * messages and packed repeated integers, which is all profile.proto needs
 * (see out_pprof.c for why not protobuf-c). */
#ifndef PB_ENCODE_H
#define PB_ENCODE_H

#include <stddef.h>
#include <stdint.h>

enum { PB_WIRE_VARINT = 0, PB_WIRE_LEN = 2 };

/* A growing buffer; err (-ENOMEM) sticks once an allocation failed, and
 * later writes are dropped, so callers check once at the end. */
struct pb {
	uint8_t *b;
	size_t n, cap;
	int err;
};

/* Room for `more` bytes: 0, or -1 (err set). */
int pb_reserve(struct pb *p, size_t more);
void pb_free(struct pb *p);

/* The bytes of v as a varint (1-10), and writing them to out. */
size_t pb_varint_len(uint64_t v);
size_t pb_put_varint(uint8_t *out, uint64_t v);

void pb_varint(struct pb *p, uint64_t v);

/* A varint field; zero is the default and is left out. int64 fields take
 * the two's complement (negative values take 10 bytes). */
void pb_uint(struct pb *p, int field, uint64_t v);

/* A length-delimited field: bytes or a string. */
void pb_bytes(struct pb *p, int field, const void *data, size_t len);

/* A string field made valid UTF-8 (text_utf8): protobuf strings must be,
 * and Pyroscope, Parca and collectors refuse a message whose are not,
 * while names from a target are anything. Written even when empty. */
void pb_string(struct pb *p, int field, const char *raw);

/* An embedded message already encoded in `sub`, which is emptied for reuse. */
void pb_message(struct pb *p, int field, struct pb *sub);

/* A packed repeated uint64/int64 field. */
void pb_packed(struct pb *p, int field, const uint64_t *v, size_t n);

/* Appends raw, already encoded bytes. */
void pb_append(struct pb *p, const void *data, size_t len);

#endif /* PB_ENCODE_H */
