/* libFuzzer target: pprof files, which `report` reads from a directory
 * anyone may have written to, through the reader and back out through the
 * folded and pprof writers (which index the frame table by every frame id
 * the reader produced).
 *
 * Input: the protobuf, not gzipped (gzip's checksum would stop nearly
 * every mutation at the first step; the gunzip step is the unit test's).
 * Seeds: tests/fuzz/corpus_pprof/ (build/test_report --seed DIR writes
 * them). Besides crashes, the target traps when the reader breaks its
 * contract: a refusal without a message, or one that added samples. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "out/pprof_read.h"
#include "out/writers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct pprof_limits lim = pprof_default_limits;
	struct pprof_read_opts o = { .lim = &lim, .default_pid = 1 };
	static struct pprof_info info;
	struct frame_table ft;
	struct profile p;
	char err[256];
	int rc;

	/* Small limits, so that a mutation reaches them. */
	lim.max_depth = 64;
	lim.max_samples = 4096;
	lim.max_strings = lim.max_functions = lim.max_locations = lim.max_lines = 8192;
	if (frame_table_init(&ft))
		return 0;
	profile_init(&p, &ft);
	rc = pprof_read(&p, &ft, data, len, &o, &info, err, sizeof(err));
	if (rc < 0 && (!err[0] || p.samples || p.nstacks))
		__builtin_trap();
	if (rc == 0 && p.nstacks) {
		FILE *out = fopen("/dev/null", "w");
		struct profile_meta m = { .command = "fuzz", .hz = 99 };

		if (out) {
			p.process_frames = 1;
			if (write_folded(&p, &m, out) || write_pprof(&p, &m, out))
				__builtin_trap();
			fclose(out);
		}
	}
	profile_free(&p);
	frame_table_free(&ft);
	return 0;
}
