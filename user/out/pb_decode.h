/* A bounded protobuf decoder, the reading side of pb_encode.h: fields one
 * at a time from a buffer, every length checked against what is left, no
 * allocation, no recursion. Its input is a file anyone could have put in a
 * spool directory, so a malformed field is an error, never a read past the
 * end. */
#ifndef PB_DECODE_H
#define PB_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include "out/pb_encode.h"

/* Wire types beyond pb_encode.h's (PB_WIRE_VARINT, PB_WIRE_LEN): 64- and 32-bit fixed fields. Groups
 * (3, 4) are refused: profile.proto has none. */
enum { PB_WIRE_FIXED64 = 1, PB_WIRE_FIXED32 = 5 };

struct pb_reader {
	const uint8_t *p, *end;
	int err;		/* -EBADMSG once malformed; it sticks */
};

struct pb_field {
	uint32_t num;		/* field number, 1 .. 2^29-1 */
	int wire;		/* PB_WIRE_* */
	uint64_t v;		/* a varint's or fixed field's value */
	const uint8_t *data;	/* a length-delimited field's bytes */
	size_t len;
};

static inline struct pb_reader pb_reader_of(const void *data, size_t len)
{
	return (struct pb_reader){ data, (const uint8_t *)data + len, 0 };
}

/* A varint: 0, or -EBADMSG (too long, or cut) with r->err set. */
int pb_read_varint(struct pb_reader *r, uint64_t *v);

/* The next field: 1, 0 at the end of the buffer, or -EBADMSG. */
int pb_next(struct pb_reader *r, struct pb_field *f);

/* A repeated integer field, packed (one length-delimited field) or not
 * (one varint per field): each call gives the next of f's values, 1, or
 * 0 when there are no more, or -EBADMSG. *it must start zeroed for f. */
struct pb_packed_it {
	struct pb_reader r;
	int started;
};
int pb_packed_next(const struct pb_field *f, struct pb_packed_it *it, uint64_t *v);

#endif /* PB_DECODE_H */
