/* libbpf's messages and the per-CPU counters, for both BPF loaders. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "probe/bpf_common.h"
#include "pybpftop.h"

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	(void)fmt;
	(void)args;
	return 0;
}

static int libbpf_verbose(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, args);
}

void bpf_shared_log(int verbose)
{
	libbpf_set_print(verbose > 1 ? libbpf_verbose : libbpf_quiet);
}

void bpf_shared_counters(const struct bpf_map *map, int ncpus, uint64_t *total,
			 uint64_t *per_cpu, int max_cpus)
{
	uint64_t *vals = calloc(ncpus, sizeof(*vals));

	memset(total, 0, CNT_MAX * sizeof(*total));
	for (uint32_t c = 0; vals && c < CNT_MAX; c++) {
		if (bpf_map__lookup_elem(map, &c, sizeof(c), vals, ncpus * sizeof(*vals), 0))
			continue;
		for (int cpu = 0; cpu < ncpus; cpu++) {
			total[c] += vals[cpu];
			if (per_cpu && cpu < max_cpus)
				per_cpu[cpu * CNT_MAX + c] = vals[cpu];
		}
	}
	free(vals);
}
