/* What the two BPF loaders (sampler.c, alloc_probe.c) share: libbpf's
 * messages and the per-CPU counters every program bumps. */
#ifndef BPF_SHARED_H
#define BPF_SHARED_H

#include <stdint.h>
#include <bpf/libbpf.h>

/* libbpf's messages: none, or (verbose > 1) all but its debug ones. */
void bpf_shared_log(int verbose);

/* The counters map summed over CPUs into total[CNT_MAX]; per_cpu (if not
 * NULL) gets max_cpus rows of CNT_MAX. */
void bpf_shared_counters(const struct bpf_map *map, int ncpus, uint64_t *total,
			 uint64_t *per_cpu, int max_cpus);

#endif /* BPF_SHARED_H */
