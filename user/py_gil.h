#ifndef PY_GIL_H
#define PY_GIL_H
#include <stdint.h>
#include "py_target.h"
int py_gil_holder(struct py_target *t, uint64_t *tstate);
#endif
