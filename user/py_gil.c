#include <errno.h>
#include "py_gil.h"
int py_gil_holder(struct py_target *t, uint64_t *tstate) { (void)t; *tstate = 0; return -ENOTSUP; }
