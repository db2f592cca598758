// SPDX-License-Identifier: LGPL-2.1-or-later
/* Pure helpers of the launcher: namespace names, id-map parsing and rendering. */
#include <inttypes.h>
#include <sched.h>

#include "macro.h"
#include "nslab/launch.h"
#include "launch-internal.h"

static const struct {
	const char *name;
	unsigned bit;
	unsigned long clone;
} ns_types[] = {
	{ "mnt", NSL_NS_MNT, CLONE_NEWNS },	  { "mount", NSL_NS_MNT, CLONE_NEWNS },
	{ "uts", NSL_NS_UTS, CLONE_NEWUTS },	  { "ipc", NSL_NS_IPC, CLONE_NEWIPC },
	{ "net", NSL_NS_NET, CLONE_NEWNET },	  { "pid", NSL_NS_PID, CLONE_NEWPID },
	{ "user", NSL_NS_USER, CLONE_NEWUSER },	  { "cgroup", NSL_NS_CGROUP, CLONE_NEWCGROUP },
	{ "time", NSL_NS_TIME, CLONE_NEWTIME },
};

_public_ unsigned nsl_launch_parse_ns(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(ns_types); i++)
		if (STREQ(ns_types[i].name, name))
			return ns_types[i].bit;
	return 0;
}

/* The order nsenter enters namespaces in: user first (a second pass retries what failed). */
const unsigned nsli_launch_join_order[8] = { NSL_NS_USER, NSL_NS_CGROUP, NSL_NS_IPC, NSL_NS_UTS,
					NSL_NS_NET,  NSL_NS_PID,    NSL_NS_MNT, NSL_NS_TIME };

/* The /proc/PID/ns file name of one NSL_NS_* bit, or NULL. */
const char *nsli_launch_ns_name(unsigned bit)
{
	static const char *const names[] = { "mnt", "uts", "ipc", "net", "pid", "user", "cgroup", "time" };

	for (unsigned i = 0; i < ELEMENTSOF(names); i++)
		if (bit == 1u << i)
			return names[i];
	return NULL;
}

unsigned long nsli_launch_ns_to_clone(unsigned ns)
{
	unsigned long f = 0;

	for (size_t i = 0; i < ELEMENTSOF(ns_types); i++)
		if (ns & ns_types[i].bit)
			f |= ns_types[i].clone;
	return f;
}

/* A decimal u32 without sign, leading zeros or trailing junk; advances *s. */
static int parse_u32(const char **s, uint32_t *ret)
{
	uint64_t v = 0;
	const char *p = *s;

	if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' && p[1] <= '9'))
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > UINT32_MAX)
			return -EINVAL;
	}
	*ret = (uint32_t)v;
	*s = p;
	return 0;
}

_public_ int nsl_launch_parse_idmap(const char *s, struct nsl_idmap *ret, struct nsl_err *err)
{
	struct nsl_idmap m;
	const char *p = s;

	if (parse_u32(&p, &m.inner) < 0 || *p++ != ':' || parse_u32(&p, &m.outer) < 0 ||
	    *p++ != ':' || parse_u32(&p, &m.count) < 0 || *p)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, s, "id map must be INNER:OUTER:COUNT");
	if (m.count == 0 || (uint64_t)m.inner + m.count - 1 > UINT32_MAX - 1 ||
	    (uint64_t)m.outer + m.count - 1 > UINT32_MAX - 1)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, s, "id map range is empty or too large");
	*ret = m;
	return 0;
}

static bool overlap(uint32_t a, uint32_t n, uint32_t b, uint32_t m)
{
	return (uint64_t)a < (uint64_t)b + m && (uint64_t)b < (uint64_t)a + n;
}

/*
 * Render a uid_map/gid_map: the ranges, then the single-id map "SINGLE OUTER 1" when
 * @single >= 0. The kernel refuses overlapping extents on either side with a bare EINVAL,
 * so say which ones overlap first. Return: 0, -EINVAL (overlap), -ENOSPC.
 */
int nsli_launch_idmap_format(const struct nsl_idmap *ranges, unsigned n, int64_t single, uint32_t outer,
			char *buf, size_t size)
{
	struct nsl_idmap all[341];
	unsigned k = 0;
	size_t off = 0;

	if (n + 1 > ELEMENTSOF(all))
		return -ENOSPC;
	for (unsigned i = 0; i < n; i++)
		all[k++] = ranges[i];
	if (single >= 0)
		all[k++] = (struct nsl_idmap){ .inner = (uint32_t)single, .outer = outer, .count = 1 };
	buf[0] = '\0';
	for (unsigned i = 0; i < k; i++) {
		int w;

		for (unsigned j = 0; j < i; j++)
			if (overlap(all[i].inner, all[i].count, all[j].inner, all[j].count) ||
			    overlap(all[i].outer, all[i].count, all[j].outer, all[j].count))
				return -EINVAL;
		w = snprintf(buf + off, size - off, "%" PRIu32 " %" PRIu32 " %" PRIu32 "\n",
			     all[i].inner, all[i].outer, all[i].count);
		if (w < 0 || (size_t)w >= size - off)
			return -ENOSPC;
		off += (size_t)w;
	}
	return 0;
}
