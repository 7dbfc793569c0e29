/* A tiny check macro for the C unit tests: prints each failure, counts them. */
#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>

static int check_failures;

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		check_failures++; \
	} \
} while (0)

#define CHECK_DONE(name) do { \
	printf("%s: %s\n", name, check_failures ? "FAIL" : "ok"); \
	return check_failures ? 1 : 0; \
} while (0)

#endif /* CHECK_H */
