/* The protobuf wire format, decoding side
 * (https://protobuf.dev/programming-guides/encoding/). */
#include <errno.h>
#include "out/pb_decode.h"

int pb_read_varint(struct pb_reader *r, uint64_t *v)
{
	uint64_t x = 0;

	/* At most 10 bytes; the tenth may hold only bit 63. */
	for (int shift = 0; shift < 70; shift += 7) {
		uint8_t b;

		if (r->err || r->p >= r->end)
			break;
		b = *r->p++;
		if (shift == 63 && b > 1)
			break;
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return 0;
		}
	}
	r->err = -EBADMSG;
	return r->err;
}

int pb_next(struct pb_reader *r, struct pb_field *f)
{
	uint64_t key, len;

	if (r->err)
		return r->err;
	if (r->p >= r->end)
		return 0;
	if (pb_read_varint(r, &key))
		return r->err;
	if (key >> 3 == 0 || key >> 3 > 0x1fffffff) {
		r->err = -EBADMSG;
		return r->err;
	}
	*f = (struct pb_field){ .num = (uint32_t)(key >> 3), .wire = (int)(key & 7) };
	switch (f->wire) {
	case PB_WIRE_VARINT:
		return pb_read_varint(r, &f->v) ? r->err : 1;
	case PB_WIRE_FIXED64:
	case PB_WIRE_FIXED32: {
		size_t n = f->wire == PB_WIRE_FIXED64 ? 8 : 4;

		if ((size_t)(r->end - r->p) < n)
			break;
		for (size_t i = 0; i < n; i++)
			f->v |= (uint64_t)r->p[i] << (8 * i);
		r->p += n;
		return 1;
	}
	case PB_WIRE_LEN:
		if (pb_read_varint(r, &len))
			return r->err;
		if (len > (uint64_t)(r->end - r->p))
			break;
		f->data = r->p;
		f->len = (size_t)len;
		r->p += len;
		return 1;
	}
	r->err = -EBADMSG;
	return r->err;
}

int pb_packed_next(const struct pb_field *f, struct pb_packed_it *it, uint64_t *v)
{
	if (f->wire == PB_WIRE_VARINT) {
		if (it->started)
			return 0;
		it->started = 1;
		*v = f->v;
		return 1;
	}
	if (f->wire != PB_WIRE_LEN)
		return -EBADMSG;
	if (!it->started) {
		it->r = pb_reader_of(f->data, f->len);
		it->started = 1;
	}
	if (it->r.p >= it->r.end)
		return 0;
	return pb_read_varint(&it->r, v) ? -EBADMSG : 1;
}
