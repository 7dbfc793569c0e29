/* Reading the GIL's state from another process. See gil.h. */
#include <errno.h>

#include "python/gil.h"

/* How many interpreters py_gils() follows: the walker's bound. */
#define GIL_MAX_INTERPS PYBPFTOP_MAX_INTERPS

static int read_u64(const struct remote_mem *m, uint64_t addr, uint64_t *v)
{
	return remote_read(m, addr, v, sizeof(*v));
}

/* _PyRuntime.interpreters is { mutex; head; main; next_id; } in every
 * version 3.8-3.14 (gdb): main right after head. */
static uint64_t interpreters_main(const struct py_version *v, uint64_t runtime)
{
	return runtime + v->bpf.runtime_interpreters_head + 8;
}

/* The GIL struct of interpreter interp (the runtime's up to 3.11). */
static int gil_of(const struct remote_mem *m, const struct py_version *v, uint64_t runtime,
		  uint64_t interp, uint64_t *gil)
{
	const struct py_value_offsets *val = &v->val;
	int err;

	if (val->runtime_gil != PYBPFTOP_NO_OFFSET) {
		*gil = runtime + val->runtime_gil;
		return 0;
	}
	if (val->interp_gil == PYBPFTOP_NO_OFFSET)
		return -EOPNOTSUPP;
	if (!interp)
		return -EINVAL;
	if ((err = read_u64(m, interp + val->interp_gil, gil)))
		return err;
	return *gil ? 0 : -EINVAL;
}

/* 1 and *tstate when the GIL at gil is held, 0 when free, -errno. */
static int gil_state(const struct remote_mem *m, const struct py_version *v, uint64_t gil,
		     uint64_t *tstate)
{
	const struct py_value_offsets *val = &v->val;
	uint64_t holder;
	int32_t locked;
	int err;

	*tstate = 0;
	/* PYTHON_GIL=1 can turn a GIL back on in a free-threaded build; we
	 * do not follow it there (the GIL struct is not the one read here). */
	if (v->free_threaded)
		return PY_GIL_NONE;
	if ((err = remote_read(m, gil + val->gil_locked, &locked, sizeof(locked))) ||
	    (err = read_u64(m, gil + val->gil_last_holder, &holder)))
		return err;
	if (locked < -1 || locked > 1)
		return -EINVAL;	/* torn, or not a GIL */
	if (locked <= 0)
		return 0;
	/* Read apart from `locked`: a holder that just changed is still a
	 * thread state, but a NULL one means a torn read. */
	if (!holder)
		return -EINVAL;
	*tstate = holder;
	return 1;
}

int py_gil_holder_at(const struct remote_mem *m, const struct py_version *v,
		     uint64_t runtime, uint64_t *tstate)
{
	uint64_t interp = 0, gil;
	int err;

	*tstate = 0;
	if (v->free_threaded)
		return PY_GIL_NONE;
	/* The main interpreter's; before 3.12 there is one GIL anyway. An
	 * image without interpreters.main (a test's) has it at the head. */
	if (v->val.runtime_gil == PYBPFTOP_NO_OFFSET &&
	    (read_u64(m, interpreters_main(v, runtime), &interp) || !interp) &&
	    (err = read_u64(m, runtime + v->bpf.runtime_interpreters_head, &interp)))
		return err;
	if ((err = gil_of(m, v, runtime, interp, &gil)))
		return err;
	return gil_state(m, v, gil, tstate);
}

int py_gil_holder(struct py_target *t, uint64_t *tstate)
{
	return py_gil_holder_at(&t->mem, &t->v, t->runtime_addr, tstate);
}

int py_gils_at(const struct remote_mem *m, const struct py_version *v, uint64_t runtime,
	       struct py_gil *out, int max)
{
	uint64_t main_interp = 0, interp = 0, gil;
	int n = 0, i, k;

	if (max <= 0)
		return 0;
	if (v->free_threaded) {	/* one entry saying so */
		out[0] = (struct py_gil){ .held = PY_GIL_NONE };
		return 1;
	}
	if (read_u64(m, interpreters_main(v, runtime), &main_interp))
		main_interp = 0;
	/* The main interpreter first, then the list (which holds it too). */
	for (i = -1; i < GIL_MAX_INTERPS && n < max; i++) {
		int64_t id = 0;

		if (i == -1) {
			interp = main_interp;
			if (!interp)
				continue;
		} else if (i == 0) {
			if (read_u64(m, runtime + v->bpf.runtime_interpreters_head, &interp))
				return n ? n : -EFAULT;
		} else if (read_u64(m, interp + v->bpf.interp_next, &interp)) {
			break;
		}
		if (!interp)
			break;
		if (i >= 0 && interp == main_interp)
			continue;
		if (remote_read(m, interp + v->bpf.interp_id, &id, sizeof(id)))
			id = -1;
		if (gil_of(m, v, runtime, interp, &gil))
			continue;
		for (k = 0; k < n && out[k].addr != gil; k++)
			;
		if (k < n)
			continue;	/* shared with an interpreter seen before */
		out[n].addr = gil;
		out[n].interp_id = id;
		out[n].held = gil_state(m, v, gil, &out[n].holder);
		n++;
	}
	return n;
}

int py_gils(struct py_target *t, struct py_gil *out, int max)
{
	return py_gils_at(&t->mem, &t->v, t->runtime_addr, out, max);
}
