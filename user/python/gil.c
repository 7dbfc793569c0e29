/* Reading the GIL's state from another process. See py_gil.h. */
#include <errno.h>

#include "python/gil.h"

static int read_u64(const struct remote_mem *m, uint64_t addr, uint64_t *v)
{
	return remote_read(m, addr, v, sizeof(*v));
}

int py_gil_holder_at(const struct remote_mem *m, const struct py_version *v,
		     uint64_t runtime, uint64_t *tstate)
{
	const struct py_value_offsets *val = &v->val;
	uint64_t gil, interp, holder;
	int32_t locked;
	int err;

	*tstate = 0;
	/* PYTHON_GIL=1 can turn a GIL back on in a free-threaded build; we
	 * do not follow it there (the GIL struct is not the one read below). */
	if (v->free_threaded)
		return PY_GIL_NONE;
	if (val->runtime_gil != PYBPFTOP_NO_OFFSET) {
		gil = runtime + val->runtime_gil;
	} else if (val->interp_gil != PYBPFTOP_NO_OFFSET) {
		if ((err = read_u64(m, runtime + v->bpf.runtime_interpreters_head, &interp)) ||
		    (err = read_u64(m, interp + val->interp_gil, &gil)))
			return err;
		if (!interp || !gil)
			return -EINVAL;
	} else {
		return -EOPNOTSUPP;
	}
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

int py_gil_holder(struct py_target *t, uint64_t *tstate)
{
	return py_gil_holder_at(&t->mem, &t->v, t->runtime_addr, tstate);
}
