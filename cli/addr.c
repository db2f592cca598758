// SPDX-License-Identifier: GPL-2.0-or-later
/* nslab addr add|del|flush|show */
#include <linux/if_addr.h>
#include <sys/socket.h>

#include "cli.h"
#include "macro.h"

struct addr_opts {
	const char *dev;
	unsigned flags;
};

static int set_dev(void *o, const char *v, struct nsl_err *e)
{
	int r = nsl_parse_ifname(v, e);

	if (r == 0)
		((struct addr_opts *)o)->dev = v;
	return r;
}
static int set_nodad(void *o, const char *v, struct nsl_err *e)
{
	((struct addr_opts *)o)->flags |= NSL_ADDR_NODAD;
	return 0;
}

static const struct cli_kw add_kw[] = {
	{ "dev", 1, false, set_dev },
	{ "nodad", 0, false, set_nodad },
	{ NULL, 0, false, NULL },
};
static const struct cli_kw dev_kw[] = {
	{ "dev", 1, false, set_dev },
	{ NULL, 0, false, NULL },
};

/* CIDR then keywords; `dev IF` is required. */
static int parse_cidr_dev(struct cli *c, int argc, char **argv, const struct cli_kw *kw,
			  struct nsl_prefix *p, struct addr_opts *o)
{
	struct nsl_err err = { 0 };
	int r;

	if (argc < 1)
		return cli_usage(c, "missing CIDR");
	if (nsl_parse_cidr(argv[0], p, &err) < 0)
		return cli_fail(c, argv[0], &err);
	r = cli_parse_kw(c, argv[0], kw, o, argc - 1, argv + 1);
	if (r)
		return r;
	if (!o->dev)
		return cli_usage(c, "missing 'dev IF'");
	return 0;
}

static int do_add(struct cli *c, int argc, char **argv)
{
	struct addr_opts o = { 0 };
	struct nsl_err err = { 0 };
	struct nsl_prefix p;
	int r = parse_cidr_dev(c, argc, argv, add_kw, &p, &o);

	if (r)
		return r;
	if (nsl_addr_add(c->ctx, NULL, o.dev, &p, o.flags, &err) < 0)
		return cli_fail(c, argv[0], &err);
	return 0;
}

static int do_del(struct cli *c, int argc, char **argv)
{
	struct addr_opts o = { 0 };
	struct nsl_err err = { 0 };
	struct nsl_prefix p;
	int r = parse_cidr_dev(c, argc, argv, dev_kw, &p, &o);

	if (r)
		return r;
	if (nsl_addr_del(c->ctx, NULL, o.dev, &p, &err) < 0)
		return cli_fail(c, argv[0], &err);
	return 0;
}

static int do_flush(struct cli *c, int argc, char **argv)
{
	struct addr_opts o = { 0 };
	struct nsl_err err = { 0 };
	int r = cli_parse_kw(c, NULL, dev_kw, &o, argc, argv);

	if (r)
		return r;
	if (!o.dev)
		return cli_usage(c, "missing 'dev IF'");
	if (nsl_addr_flush(c->ctx, NULL, o.dev, &err) < 0)
		return cli_fail(c, o.dev, &err);
	return 0;
}

/* IFA_F_* shown as `ip -j addr` shows them: a true member per flag that is set. */
static const struct {
	unsigned flag;
	const char *name;
} ifa_flags[] = {
	{ IFA_F_SECONDARY, "secondary" },	 { IFA_F_NODAD, "nodad" },	 { IFA_F_OPTIMISTIC, "optimistic" },
	{ IFA_F_DADFAILED, "dadfailed" },	 { IFA_F_DEPRECATED, "deprecated" }, { IFA_F_TENTATIVE, "tentative" },
	{ IFA_F_NOPREFIXROUTE, "noprefixroute" },
};

static void print_addr(struct cli *c, const struct nsl_addr_info *a)
{
	char buf[64];

	pr_obj_begin(c, NULL);
	pr_str(c, "family", "    %s", a->addr.family == AF_INET ? "inet" : "inet6");
	pr_str(c, "local", " %s", nsl_prefix_str(&a->addr, false, buf, sizeof(buf)));
	pr_uint(c, "prefixlen", "/%llu", a->addr.len);
	pr_str(c, "scope", " scope %s", a->scope);
	for (size_t i = 0; i < ELEMENTSOF(ifa_flags); i++)
		if (a->flags & ifa_flags[i].flag) {
			pr_bool(c, ifa_flags[i].name, NULL, true);
			pr_text(c, " %s", ifa_flags[i].name);
		}
	pr_text(c, "\n");
	pr_obj_end(c);
}

static int do_show(struct cli *c, int argc, char **argv)
{
	_cleanup_free_ struct nsl_addr_info *v = NULL;
	_cleanup_free_ struct nsl_link_info *links = NULL;
	struct addr_opts o = { 0 };
	struct nsl_err err = { 0 };
	size_t n, n_links;
	int r = cli_parse_kw(c, NULL, dev_kw, &o, argc, argv);

	if (r)
		return r;
	if (nsl_link_list(c->ctx, NULL, o.dev, &links, &n_links, &err) < 0 ||
	    nsl_addr_list(c->ctx, NULL, o.dev, &v, &n, &err) < 0)
		return cli_fail(c, o.dev, &err);
	/* Like ip: every link, in the kernel's order, each with its addresses (maybe none). */
	pr_array_begin(c, NULL);
	for (size_t l = 0; l < n_links; l++) {
		pr_obj_begin(c, NULL);
		pr_int(c, "ifindex", "%lld: ", links[l].ifindex);
		pr_str(c, "ifname", "%s\n", links[l].ifname);
		pr_array_begin(c, "addr_info");
		for (size_t i = 0; i < n; i++)
			if (v[i].ifindex == links[l].ifindex)
				print_addr(c, &v[i]);
		pr_array_end(c);
		pr_obj_end(c);
	}
	pr_array_end(c);
	return 0;
}

static const struct cli_verb verbs[] = {
	{ "add", do_add },     { "del", do_del }, { "flush", do_flush },
	{ "show", do_show },   { NULL, NULL },
};

const struct cli_object cli_obj_addr = {
	.name = "addr",
	.verbs = verbs,
	.usage = "Usage: nslab [-n NETNS] addr add CIDR dev IF [nodad]\n"
		 "       nslab [-n NETNS] addr del CIDR dev IF\n"
		 "       nslab [-n NETNS] addr flush dev IF\n"
		 "       nslab [-n NETNS] addr show [dev IF]\n"
		 "CIDR is an IPv4 or IPv6 address with its prefix length (10.0.0.1/24, fd00::1/64).\n"
		 "nodad: an IPv6 address usable at once, without duplicate address detection.\n"
		 "flush removes the global-scope addresses (IPv6 link-local ones stay).\n",
};
