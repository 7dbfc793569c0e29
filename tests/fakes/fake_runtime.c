/* A process that is no CPython but carries what pybpftop's version
 * detection looks for first (user/python/target.c): a `_PyRuntime` symbol
 * whose object starts as _Py_DebugOffsets does, with the cookie
 * "xdebugpy" and then a PY_VERSION_HEX (FAKE_VERSION_HEX, given when it is
 * compiled). tests/refuse.bats forges versions that no release has with it:
 * a future 3.99, or a blob no version could have. It says "READY pid",
 * then sleeps until it is killed. */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#ifndef FAKE_VERSION_HEX
#error "compile with -DFAKE_VERSION_HEX=0x..."
#endif

struct fake_debug_offsets {
	char cookie[8];		/* "xdebugpy", no NUL */
	uint64_t version;	/* PY_VERSION_HEX */
	uint64_t rest[512];	/* what a reader of the full blob may read */
};

/* In .data, so the bytes are in memory and the symbol in .symtab. */
__attribute__((used)) struct fake_debug_offsets _PyRuntime = {
	.cookie = { 'x', 'd', 'e', 'b', 'u', 'g', 'p', 'y' },
	.version = FAKE_VERSION_HEX,
};

int main(void)
{
	printf("READY %d\n", (int)getpid());
	fflush(stdout);
	for (;;)
		pause();
}
