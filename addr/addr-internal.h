/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal to addr/ and route/: request builders (kept apart from sending, so that
 * tests/unit/test-addr-route.c checks them without a kernel) and the ifindex -> name table
 * that both `addr show` and `route show` need.
 */
#ifndef NSL_ADDR_INTERNAL_H
#define NSL_ADDR_INTERNAL_H

#include <netlink/addr.h>
#include <netlink/msg.h>
#include <stdarg.h>
#include <stddef.h>

#include "core.h"
#include "nslab/addr.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct nl_msg *, nlmsg_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct nl_addr *, nl_addr_put);

/** nsli_nladdr_new - a libnl address of @p (bytes and prefix length). NULL on ENOMEM. */
struct nl_addr *nsli_nladdr_new(const struct nsl_prefix *p);

/**
 * nsli_addr_build_add - RTM_NEWADDR (NLM_F_CREATE|NLM_F_EXCL) for @addr on @ifindex.
 * @flags: NSL_ADDR_*. Return: 0 or a negative errno (never NLE_*); *@ret is freed with nlmsg_free().
 */
int nsli_addr_build_add(int ifindex, const struct nsl_prefix *addr, unsigned flags,
		       struct nl_msg **ret);
/** nsli_addr_build_del - RTM_DELADDR for @addr on @ifindex. */
int nsli_addr_build_del(int ifindex, const struct nsl_prefix *addr, struct nl_msg **ret);

/** One link: its index and name. */
struct nsl_ifname {
	int index;
	char name[16];
};

/** nsli_ifnames_dump - every link of @nl's netns. Caller frees *@ret. */
int nsli_ifnames_dump(struct nsl_nl *nl, struct nsl_ifname **ret, size_t *ret_n, struct nsl_err *err);
/** nsli_ifnames_find - the name of @index in @v, or NULL. */
const char *nsli_ifnames_find(const struct nsl_ifname *v, size_t n, int index);

/** nsli_rt_scope_name - "global", "site", "link", "host", "nowhere", or the number into @buf. */
const char *nsli_rt_scope_name(unsigned scope, char *buf, size_t size);

/*
 * nsl_kernel_fail - turn the core's report of a NACK into ours: same errno and extack, our
 * message and object name, and the kind (EEXIST is a conflict, the rest a system error).
 */
__attribute__((format(printf, 4, 5))) static inline int
nsl_kernel_fail(struct nsl_err *err, int r, const char *object, const char *fmt, ...)
{
	char extack[sizeof(err->extack)];
	va_list ap;

	if (!err)
		return r;
	memcpy(extack, err->extack, sizeof(extack));
	nsl_err_set(err, r == -EEXIST ? NSL_E_CONFLICT : NSL_E_SYSTEM, r, object, NULL);
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	memcpy(err->extack, extack, sizeof(extack));
	return r;
}

#endif
