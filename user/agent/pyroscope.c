/* Grafana Pyroscope's push API: the body of POST
 * /push.v1.PusherService/Push, one window as one series.
 *
 * Field numbers, from grafana/pyroscope api/push/v1/push.proto and
 * api/types/v1/types.proto (read at commit 1281f254d2cc, the file's newest
 * stored version; unchanged since push.v1 was published):
 *   PushRequest      { repeated RawProfileSeries series = 1; }
 *   RawProfileSeries { repeated types.v1.LabelPair labels = 1;
 *                      repeated RawSample samples = 2; }
 *   RawSample        { bytes raw_profile = 1; string ID = 2; }
 *   types.v1.LabelPair { string name = 1; string value = 2; }
 * raw_profile is the window's gzipped pprof as it is; the labels are the
 * series': __name__ (the profile type, which Pyroscope maps to the pprof's
 * sample types: process_cpu, wall, memory) and the window's labels, sorted
 * by name as Pyroscope keeps them (its labels are compared as sorted
 * lists), each name once. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include "agent/push.h"
#include "out/pb_encode.h"
#include "proc/text_escape.h"

enum {
	PUSH_REQUEST_SERIES = 1,
	SERIES_LABELS = 1, SERIES_SAMPLES = 2,
	RAW_SAMPLE_RAW_PROFILE = 1, RAW_SAMPLE_ID = 2,
	LABEL_PAIR_NAME = 1, LABEL_PAIR_VALUE = 2,
};

struct named {
	const char *name, *value;
	int order;		/* as given: the first of two equal names wins */
};

static int by_name(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : x->order - y->order;
}

/* A random (version 4) UUID: the sample's ID. */
static void make_uuid(char out[37])
{
	unsigned char r[16] = { 0 };

	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		for (size_t i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)rand();
	r[6] = (r[6] & 0x0f) | 0x40;
	r[8] = (r[8] & 0x3f) | 0x80;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12],
		 r[13], r[14], r[15]);
}

int pyroscope_encode(const struct window_out *w, void **body, size_t *len)
{
	struct named labels[WINDOW_MAX_LABELS + 1];
	struct pb out = { 0 }, series = { 0 }, sub = { 0 };
	int n = 0, nlabels = w->nlabels < WINDOW_MAX_LABELS ? w->nlabels : WINDOW_MAX_LABELS;
	char id[37];

	if (!w->profile_type || !w->pprof_gz)
		return -EINVAL;
	labels[n++] = (struct named){ "__name__", w->profile_type, -1 };
	for (int i = 0; i < nlabels; i++)
		if (w->labels[i].key[0] && strcmp(w->labels[i].key, "__name__"))
			labels[n++] = (struct named){ w->labels[i].key, w->labels[i].value, i };
	qsort(labels, n, sizeof(*labels), by_name);

	for (int i = 0; i < n; i++) {
		if (i && !strcmp(labels[i].name, labels[i - 1].name))
			continue;	/* Pyroscope refuses a name twice */
		pb_string(&sub, LABEL_PAIR_NAME, labels[i].name);
		pb_string(&sub, LABEL_PAIR_VALUE, labels[i].value);
		pb_message(&series, SERIES_LABELS, &sub);
	}
	make_uuid(id);
	pb_bytes(&sub, RAW_SAMPLE_RAW_PROFILE, w->pprof_gz, w->pprof_len);
	pb_bytes(&sub, RAW_SAMPLE_ID, id, strlen(id));
	pb_message(&series, SERIES_SAMPLES, &sub);
	pb_message(&out, PUSH_REQUEST_SERIES, &series);

	int err = out.err ? out.err : series.err ? series.err : sub.err;

	pb_free(&series);
	pb_free(&sub);
	if (err) {
		pb_free(&out);
		return err;
	}
	*body = out.b;
	*len = out.n;
	return 0;
}
