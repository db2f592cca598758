/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Cleanup attributes and small helpers shared by every module.
 * Internal: never included from a public header.
 */
#ifndef NSL_CORE_MACRO_H
#define NSL_CORE_MACRO_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _public_ __attribute__((visibility("default")))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _cleanup_(f) __attribute__((cleanup(f)))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))
#define STREQ(a, b) (strcmp((a), (b)) == 0)

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

#include <dirent.h>
static inline void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Hand ownership on: the local loses it, so its cleanup does nothing. */
#define TAKE_PTR(p)                                                                                \
	({                                                                                         \
		__typeof__(p) _p = (p);                                                            \
		(p) = NULL;                                                                        \
		_p;                                                                                \
	})
#define TAKE_FD(fd)                                                                                \
	({                                                                                         \
		int _fd = (fd);                                                                    \
		(fd) = -1;                                                                         \
		_fd;                                                                               \
	})

/* Declare a cleanup function for a type whose destructor takes NULL. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)                                                    \
	static inline void func##p(type *p)                                                        \
	{                                                                                          \
		if (*p)                                                                            \
			func(*p);                                                                  \
	}

/*
 * Make the array *@p hold at least @need elements, doubling its capacity (systemd's
 * GREEDY_REALLOC). False, with *@p untouched, when memory runs out. It starts at 4: the
 * topology loader's arrays (a node's interfaces, a mapping's keys) mostly hold one to three
 * elements, and at 16 a lab of 35,000 links took twice the memory.
 */
static inline bool greedy_realloc(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n;
	void *q;

	if (need <= *cap)
		return true;
	n = *cap ? *cap * 2 : 4;
	if (n < need)
		n = need;
	if (n > SIZE_MAX / size)
		return false;
	q = realloc(*p, n * size);
	if (!q)
		return false;
	*p = q;
	*cap = n;
	return true;
}
#define GREEDY_REALLOC(p, cap, need) greedy_realloc((void **)&(p), &(cap), (need), sizeof(*(p)))

/* The capacity GREEDY_REALLOC gives an array grown one element at a time to @n: 0, then 4,
 * then the next power of two (for code that keeps only the length). */
static inline size_t greedy_cap(size_t n)
{
	size_t cap = 4;

	if (!n)
		return 0;
	while (cap < n)
		cap *= 2;
	return cap;
}

/* Negative errno from a libc call that sets errno, never 0. */
static inline int negerrno(void)
{
	return errno > 0 ? -errno : -EIO;
}

#endif
