/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The targets map: the processes we profile, by tgid in the root pid
 * namespace, with the layouts their walk needs. The walker reads it;
 * follow.bpf.c copies a parent's record to its fork. User space makes one
 * map of it and shares it between the objects. */
#ifndef TARGETS_BPF_H
#define TARGETS_BPF_H

#include "pybpftop.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PYBPFTOP_MAX_PROCS);
	__type(key, __u32);
	__type(value, struct py_proc);
} procs SEC(".maps");

#endif /* TARGETS_BPF_H */
