// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nsli_nl_query() ends at the NLMSG_DONE of a multipart answer instead of waiting for a part
 * that never comes, and never hands NLMSG_DONE to its callback. The multipart answer is the
 * kernel's own: a link dump of this process's netns (no privilege needed), asked for through
 * nsli_nl_query() with NLM_F_DUMP in the request. A query that hangs is ended by an alarm.
 */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"
#include "nslab/ctx.h"
#include "tap.h"

struct seen {
	int links, done, other;
};

static int cb(const struct nlmsghdr *h, void *data)
{
	struct seen *s = data;

	if (h->nlmsg_type == RTM_NEWLINK)
		s->links++;
	else if (h->nlmsg_type == NLMSG_DONE)
		s->done++;
	else
		s->other++;
	return MNL_CB_OK;
}

static void hung(int sig)
{
	static const char msg[] = "not ok - nsli_nl_query() still waiting after 10 s: NLMSG_DONE not seen\n";

	(void)sig;
	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

int main(void)
{
	struct nsl_ctx *ctx = NULL;
	struct nsl_err err = { 0 };
	struct seen s = { 0 };
	char buf[128] = { 0 };
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	struct nsl_nl *nl;
	int r, index;

	if (nsl_ctx_new(&ctx, &err) < 0 || nsli_nl_get(ctx, NULL, &nl, &err) < 0) {
		ok(0, "a context and a netlink session of this netns: %s", err.msg);
		return tap_done();
	}
	signal(SIGALRM, hung);
	alarm(10);
	h->nlmsg_type = RTM_GETLINK;
	h->nlmsg_flags = NLM_F_DUMP; /* a multipart answer, ended by NLMSG_DONE */
	ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_u32(h, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	r = nsli_nl_query(nl, h, cb, &s, &err);
	alarm(0);
	ok(r == 0, "a multipart answer ends at its NLMSG_DONE (%d %s)", r, err.msg);
	ok(s.links >= 1 && s.done == 0 && s.other == 0, "every part to the callback (%d links, lo at least), not DONE (%d)",
	   s.links, s.done);
	/* The session is in step afterwards: the next request gets its own answer. */
	alarm(10);
	index = nsli_nl_ifindex(nl, "lo", &err);
	alarm(0);
	ok(index == 1, "then a plain query on the same session: lo is ifindex %d", index);
	nsl_ctx_free(ctx);
	return tap_done();
}
