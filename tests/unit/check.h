/* The checks of the C unit tests, and how each test ends.
 *
 *   CHECK(cond);                    a failure prints the file, line and cond
 *   CHECK(cond, "fmt", args...);    ... and a message saying what was seen
 *   SKIP("fmt", args...);           a part that cannot run here (no root, an
 *                                   interpreter absent): says why, counted;
 *                                   the test still passes on the rest
 *   SKIP_TEST("fmt", args...);      the same, and the test ends as skipped:
 *                                   what it is there to check was not checked
 *   CHECK_DONE("name");             ends main(): prints a summary, returns 1
 *                                   if a check failed, else 77 after a
 *                                   SKIP_TEST, else 0
 *
 * 77 is automake's "skipped"; tests/unit.bats reads it the same way.
 * Everything goes to stdout, flushed at each failure and skip, so that the
 * lines come in order and survive a crash. */
#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>

static int check_passed, check_failed, check_skipped, check_skip_test;

/* __VA_OPT__ (C23, and a GNU extension before): the message is optional. */
#define CHECK(cond, ...) do {							\
	if (cond) {								\
		check_passed++;							\
	} else {								\
		check_failed++;							\
		printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);		\
		__VA_OPT__(printf("     " __VA_ARGS__); printf("\n");)		\
		fflush(stdout);							\
	}									\
} while (0)

#define SKIP(...) do {								\
	check_skipped++;							\
	printf("skip " __VA_ARGS__);						\
	printf("\n");								\
	fflush(stdout);								\
} while (0)

#define SKIP_TEST(...) do {							\
	check_skip_test = 1;							\
	SKIP(__VA_ARGS__);							\
} while (0)

static inline int check_done(const char *name)
{
	printf("%s: %d checks passed, %d failed, %d skipped\n", name, check_passed,
	       check_failed, check_skipped);
	if (check_failed)
		return 1;
	return check_skip_test ? 77 : 0;
}

#define CHECK_DONE(name) return check_done(name)

#endif /* CHECK_H */
