/* alloc snapshots: written and read back field by field; bad files are
 * refused with a message. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "alloc/snapshot.h"
#include "fake_frames.h"

static char dir[] = "/tmp/test_alloc_snapshot_XXXXXX";

static const char *file_with(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	CHECK(f && fputs(text, f) >= 0);
	if (f)
		fclose(f);
	return path;
}

/* alloc_snapshot_write() to a file at path (opened with mode), closed. */
static int write_to(const struct alloc_snapshot *s, const char *path, const char *mode)
{
	FILE *f = fopen(path, mode);
	int rc;

	if (!f)
		return -1;
	rc = alloc_snapshot_write(s, f);
	if (fclose(f) && !rc)
		rc = -1;
	return rc;
}

/* Frame a of snapshot x reads as frame b of snapshot y. */
static int same_frame(const struct alloc_snapshot *x, uint32_t a, const struct alloc_snapshot *y,
		      uint32_t b)
{
	struct alloc_frame f = alloc_snapshot_frame(x, a), g = alloc_snapshot_frame(y, b);

	return !strcmp(f.file, g.file) && !strcmp(f.func, g.func) && f.line == g.line;
}

static void test_round_trip(void)
{
	struct frame_table ft;
	uint32_t load, cafe;

	CHECK(frame_table_init(&ft) == 0);
	load = add_frame(&ft, "load", "/srv/app.py", 10, 12);
	cafe = add_frame(&ft, "Café.方法", "/srv/naïve \"quoted\"\\path.py", 38, 40);
	add_frame(&ft, "unused", "/srv/other.py", 1, 2);	/* not written */
	uint32_t f0[] = { load, cafe }, f1[] = { cafe, cafe, load, FRAME_UNKNOWN };
	struct alloc_rec recs[] = {
		{ 2, f0, 0, 1048576, 1000, 4194304, 4000 },
		{ 4, f1, 1, 0, 0, 7, 1 },
		{ 0, NULL, 0, 5, 1, 5, 1 },
	};
	struct alloc_snapshot w = {
		.exact = 0, .sample_bytes = 131072, .pid = 1234,
		.command = "python3 -c 'print(\"x\")'\nsecond line", .python = "3.11.7",
		.duration_s = 12.345678901234567, .time_unix_ns = 1795000000000000000ULL,
		.current = 1048576, .peak = 2097152, .allocated = (1ULL << 62) + 3,
		.allocations = 51234, .frames = &ft, .recs = recs, .nrecs = 3,
	}, r;
	char path[256], err[512] = "";

	snprintf(path, sizeof(path), "%s/snap.json", dir);
	CHECK(write_to(&w, path, "w") == 0);
	CHECK(alloc_snapshot_read(&r, path, err, sizeof(err)) == 0);
	if (*err)
		fprintf(stderr, "  %s\n", err);
	CHECK(r.exact == 0 && r.sample_bytes == 131072 && r.pid == 1234);
	CHECK(r.command && !strcmp(r.command, w.command));
	CHECK(r.python && !strcmp(r.python, "3.11.7"));
	CHECK(r.duration_s == w.duration_s && r.time_unix_ns == w.time_unix_ns);
	CHECK(r.current == w.current && r.peak == w.peak && r.allocated == w.allocated &&
	      r.allocations == w.allocations);
	/* The frames used, and no other: the unknown one is reserved. */
	CHECK(r.frames->nframes == FRAME_RESERVED + 2 && r.nrecs == 3, "%u frames",
	      r.frames->nframes);
	CHECK(!strcmp(alloc_snapshot_frame(&r, FRAME_UNKNOWN).file, "<unknown>"));
	for (size_t i = 0; i < r.nrecs && i < 3; i++) {
		CHECK(r.recs[i].n == recs[i].n && r.recs[i].partial == recs[i].partial);
		CHECK(r.recs[i].live_size == recs[i].live_size &&
		      r.recs[i].live_count == recs[i].live_count &&
		      r.recs[i].alloc_size == recs[i].alloc_size &&
		      r.recs[i].alloc_count == recs[i].alloc_count);
		for (uint32_t k = 0; k < r.recs[i].n && k < recs[i].n; k++)
			CHECK(same_frame(&r, r.recs[i].frames[k], &w, recs[i].frames[k]),
			      "record %zu frame %u", i, k);
	}
	alloc_snapshot_free(&r);
	CHECK(r.frames == NULL && r.nrecs == 0);

	/* Exact mode: sample_bytes is written as 0. */
	w.exact = 1;
	CHECK(write_to(&w, path, "w") == 0);
	CHECK(alloc_snapshot_read(&r, path, err, sizeof(err)) == 0);
	CHECK(r.exact == 1 && r.sample_bytes == 0 && r.nrecs == 3);
	alloc_snapshot_free(&r);

	/* An empty snapshot. */
	w = (struct alloc_snapshot){ .exact = 1 };
	CHECK(write_to(&w, path, "w") == 0);
	CHECK(alloc_snapshot_read(&r, path, err, sizeof(err)) == 0);
	CHECK(r.frames->nframes == FRAME_RESERVED && r.nrecs == 0 && r.command &&
	      !strcmp(r.command, ""));
	alloc_snapshot_free(&r);
	/* A stream that cannot be written: the error comes back. */
	CHECK(write_to(&w, path, "r") != 0);
	unlink(path);
	frame_table_free(&ft);
}

#define HEAD "{\"format\": \"pybpftop-alloc-snapshot\", \"version\": 1, \"mode\": \"exact\", " \
	"\"sample_bytes\": 0, \"pid\": 1, \"command\": \"c\", \"python\": \"3.11\", " \
	"\"duration_s\": 1.5, \"time_unix_ns\": 1, "
#define TRACED "\"traced\": {\"current\": 1, \"peak\": 2, \"allocated\": 3, \"allocations\": 4}, "
#define FRAMES "\"frames\": [[\"<unknown>\", 0, \"<unknown>\"], [\"/a.py\", 1, \"f\"]], "
#define TRACE(ids, size) "{\"frames\": " ids ", \"partial\": false, \"live_size\": " size \
	", \"live_count\": 1, \"alloc_size\": 1, \"alloc_count\": 1}"

/* Refused, with a message that contains want; s comes back empty. */
static void bad(const char *text, const char *want)
{
	struct alloc_snapshot s;
	char err[512] = "";
	int rc = alloc_snapshot_read(&s, file_with("bad.json", text), err, sizeof(err));

	CHECK(rc != 0);
	CHECK(strstr(err, "bad.json") != NULL);
	CHECK(strstr(err, want) != NULL, "%s\n     for %s\n     wanted \"%s\"", err, text, want);
	CHECK(s.frames == NULL && s.recs == NULL && s.command == NULL && s.nrecs == 0);
}

static void test_bad_files(void)
{
	struct alloc_snapshot s;
	char err[512] = "";

	/* The template the cases below break is itself good. */
	CHECK(alloc_snapshot_read(&s, file_with("good.json",
		HEAD TRACED FRAMES "\"traces\": [" TRACE("[1, 0]", "10") "]}"), err, sizeof(err)) == 0);
	CHECK(s.nrecs == 1 && !strcmp(alloc_snapshot_frame(&s, s.recs[0].frames[0]).file, "/a.py") && s.recs[0].live_size == 10);
	alloc_snapshot_free(&s);

	CHECK(alloc_snapshot_read(&s, file_with("none", ""), err, sizeof(err)) != 0);
	CHECK(alloc_snapshot_read(&s, "/nonexistent/snap.json", err, sizeof(err)) != 0 &&
	      strstr(err, "cannot read /nonexistent/snap.json"));

	bad("", "cannot read");
	bad("not json", "cannot read");
	bad("{\"format\": \"pybpftop-alloc-snapshot\", ", "cannot read");
	bad("[1, 2]", "no \"format\"");
	bad("{\"format\": \"something-else\", \"version\": 1, \"mode\": \"exact\"}", "no \"format\"");
	bad("{\"format\": 1}", "no \"format\"");
	bad("{\"format\": \"pybpftop-alloc-snapshot\", \"version\": 2, \"mode\": \"exact\"}",
	    "version 2; this pybpftop reads version 1");
	/* Another version need not have the fields this one has. */
	bad("{\"format\": \"pybpftop-alloc-snapshot\", \"version\": 2}", "version 2;");
	bad("{\"format\": \"pybpftop-alloc-snapshot\", \"version\": \"1\", \"mode\": \"exact\"}",
	    "version -1");
	bad("{\"format\": \"pybpftop-alloc-snapshot\", \"version\": 1}", "no \"mode\"");
	bad(HEAD FRAMES "\"traces\": []}", "missing or malformed");		/* no traced */
	bad(HEAD "\"traced\": {}, " FRAMES "\"traces\": []}", "missing or malformed");
	bad(HEAD "\"traced\": {\"current\": -1, \"peak\": 2, \"allocated\": 3, \"allocations\": 4}, "
	    FRAMES "\"traces\": []}", "missing or malformed");
	bad(HEAD TRACED "\"traces\": []}", "missing or malformed");		/* no frames */
	bad(HEAD TRACED "\"frames\": {}, \"traces\": []}", "missing or malformed");
	bad(HEAD TRACED FRAMES "\"traces\": 1}", "missing or malformed");
	bad(HEAD TRACED "\"frames\": [[\"/a.py\", \"1\", \"f\"]], \"traces\": []}",
	    "a frame is not");
	bad(HEAD TRACED "\"frames\": [\"/a.py\"], \"traces\": []}", "a frame is not");
	bad(HEAD TRACED "\"frames\": [[\"/a.py\", 1]], \"traces\": []}", "a frame is not");
	bad(HEAD TRACED FRAMES "\"traces\": [" TRACE("[1, 0]", "-5") "]}", "bad count");
	bad(HEAD TRACED FRAMES "\"traces\": [" TRACE("[1, 0]", "1.5") "]}", "bad count");
	bad(HEAD TRACED FRAMES "\"traces\": [" TRACE("[1, 2]", "1") "]}", "frame index");
	bad(HEAD TRACED FRAMES "\"traces\": [" TRACE("[-1]", "1") "]}", "frame index");
	bad(HEAD TRACED FRAMES "\"traces\": [" TRACE("[\"1\"]", "1") "]}", "frame index");
	bad(HEAD TRACED FRAMES "\"traces\": [" TRACE("1", "1") "]}", "no frames array");
	bad(HEAD TRACED FRAMES "\"traces\": [" TRACE("{}", "1") "]}", "no frames array");
	bad(HEAD TRACED FRAMES "\"traces\": [1]}", "no frames array");
	/* A bad trace after good ones: what was read so far is freed. */
	bad(HEAD TRACED FRAMES "\"traces\": [" TRACE("[1]", "1") ", " TRACE("[0]", "2") ", "
	    TRACE("[9]", "3") "]}", "frame index");
	bad(HEAD TRACED FRAMES "\"traces\": [" TRACE("[1]", "1") ", 7]}", "no frames array");
	/* Too big for an integer. */
	bad(HEAD TRACED FRAMES "\"traces\": [" TRACE("[1]", "99999999999999999999") "]}",
	    "cannot read");

	/* From memory, named as the caller says. */
	{
		static const char doc[] = HEAD TRACED FRAMES "\"traces\": []}";

		CHECK(alloc_snapshot_read_mem(&s, doc, sizeof(doc) - 1, "mem", err, sizeof(err)) == 0);
		CHECK(s.frames->nframes == FRAME_RESERVED + 1 && s.nrecs == 0 && s.peak == 2);
		alloc_snapshot_free(&s);
		CHECK(alloc_snapshot_read_mem(&s, doc, 20, "mem", err, sizeof(err)) != 0 &&
		      !strncmp(err, "cannot read mem:", 16));
	}
}

int main(void)
{
	CHECK(mkdtemp(dir) != NULL);
	test_round_trip();
	test_bad_files();
	unlink(file_with("bad.json", ""));
	unlink(file_with("good.json", ""));
	unlink(file_with("none", ""));
	rmdir(dir);
	CHECK_DONE("alloc_snapshot");
}
