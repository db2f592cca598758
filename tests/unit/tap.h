/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Minimal TAP for unit tests: ok(cond, fmt, ...), skip(fmt, ...) then return tap_done().
 * A skip is a TAP "ok N - # SKIP reason" line: counted, and it always says why.
 */
#ifndef NSL_TAP_H
#define NSL_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_n, tap_failed;

__attribute__((format(printf, 2, 3))) static inline int ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		tap_failed++;
	return cond;
}

/* Record one check that cannot run here; the reason says which kernel feature or privilege
 * is missing. */
__attribute__((format(printf, 1, 2))) static inline void skip(const char *fmt, ...)
{
	va_list ap;

	printf("ok %d - # SKIP ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
