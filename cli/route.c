// SPDX-License-Identifier: GPL-2.0-or-later
/* nslab route add|del|show */
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "cli.h"
#include "macro.h"

struct route_opts {
	struct nsl_prefix via;
	bool has_via;
	const char *dev;
	uint32_t metric;
	uint32_t table;
};

static int set_via(void *o, const char *v, struct nsl_err *e)
{
	struct route_opts *ro = o;
	int r = nsl_parse_addr(v, &ro->via, e);

	if (r == 0)
		ro->has_via = true;
	return r;
}
static int set_dev(void *o, const char *v, struct nsl_err *e)
{
	int r = nsl_parse_ifname(v, e);

	if (r == 0)
		((struct route_opts *)o)->dev = v;
	return r;
}
static int set_metric(void *o, const char *v, struct nsl_err *e)
{
	return nsl_parse_u32(v, 0, UINT32_MAX, "metric", &((struct route_opts *)o)->metric, e);
}
/* A table number, or "main" (RT_TABLE_MAIN, what 0 means in struct nsl_route). */
static int set_table(void *o, const char *v, struct nsl_err *e)
{
	if (STREQ(v, "main")) {
		((struct route_opts *)o)->table = RT_TABLE_MAIN;
		return 0;
	}
	return nsl_parse_u32(v, 1, UINT32_MAX, "table", &((struct route_opts *)o)->table, e);
}

static const struct cli_kw route_kw[] = {
	{ "via", 1, false, set_via },	    { "dev", 1, false, set_dev },
	{ "metric", 1, false, set_metric }, { "table", 1, false, set_table },
	{ NULL, 0, false, NULL },
};
static const struct cli_kw show_kw[] = {
	{ "table", 1, false, set_table },
	{ NULL, 0, false, NULL },
};

/* PREFIX|default, then keywords. `default` takes the family of the gateway, if any. */
static int parse_route(struct cli *c, int argc, char **argv, struct route_opts *o,
		       struct nsl_route *rt)
{
	struct nsl_err err = { 0 };
	int r;

	if (argc < 1)
		return cli_usage(c, "missing PREFIX or 'default'");
	r = cli_parse_kw(c, argv[0], route_kw, o, argc - 1, argv + 1);
	if (r)
		return r;
	if (nsl_parse_route_prefix(argv[0], o->has_via ? o->via.family : AF_INET, &rt->dst, &err) < 0)
		return cli_fail(c, argv[0], &err);
	rt->via = o->has_via ? &o->via : NULL;
	rt->dev = o->dev;
	rt->metric = o->metric;
	rt->table = o->table;
	return 0;
}

static int do_add(struct cli *c, int argc, char **argv)
{
	struct route_opts o = { 0 };
	struct nsl_route rt = { 0 };
	struct nsl_err err = { 0 };
	int r = parse_route(c, argc, argv, &o, &rt);

	if (r)
		return r;
	if (!rt.via && !rt.dev)
		return cli_usage(c, "a route needs 'via GW' or 'dev IF'");
	if (nsl_route_add(c->ctx, NULL, &rt, &err) < 0)
		return cli_fail(c, argv[0], &err);
	return 0;
}

static int do_del(struct cli *c, int argc, char **argv)
{
	struct route_opts o = { 0 };
	struct nsl_route rt = { 0 };
	struct nsl_err err = { 0 };
	int r = parse_route(c, argc, argv, &o, &rt);

	if (r)
		return r;
	if (nsl_route_del(c->ctx, NULL, &rt, &err) < 0)
		return cli_fail(c, argv[0], &err);
	return 0;
}

/* RTNH_F_* in rtm_flags, named as `ip -j route` names them in "flags". */
static const struct {
	unsigned flag;
	const char *name;
} rtnh_flags[] = {
	{ RTNH_F_DEAD, "dead" },	 { RTNH_F_PERVASIVE, "pervasive" }, { RTNH_F_ONLINK, "onlink" },
	{ RTNH_F_OFFLOAD, "offload" }, { RTNH_F_LINKDOWN, "linkdown" },   { RTNH_F_UNRESOLVED, "unresolved" },
};

static void print_route(struct cli *c, const struct nsl_route_info *r)
{
	char buf[64];

	pr_obj_begin(c, NULL);
	pr_str(c, "dst", "%s",
	       r->dst.len == 0 ? "default"
			       : nsl_prefix_str(&r->dst, r->dst.len != (r->dst.family == AF_INET ? 32 : 128),
						buf, sizeof(buf)));
	if (r->has_gateway)
		pr_str(c, "gateway", " via %s", nsl_prefix_str(&r->gateway, false, buf, sizeof(buf)));
	if (r->dev[0])
		pr_str(c, "dev", " dev %s", r->dev);
	if (r->table != RT_TABLE_MAIN)
		pr_uint(c, "table", " table %llu", r->table);
	/* ip leaves out "boot", the protocol of routes added by hand; so do we. */
	if (!STREQ(r->protocol, "boot"))
		pr_str(c, "protocol", " proto %s", r->protocol);
	if (!STREQ(r->scope, "global"))
		pr_str(c, "scope", " scope %s", r->scope);
	if (r->has_prefsrc)
		pr_str(c, "prefsrc", " src %s", nsl_prefix_str(&r->prefsrc, false, buf, sizeof(buf)));
	if (r->has_metric)
		pr_uint(c, "metric", " metric %llu", r->metric);
	pr_array_begin(c, "flags");
	for (size_t i = 0; i < ELEMENTSOF(rtnh_flags); i++)
		if (r->flags & rtnh_flags[i].flag)
			pr_str(c, NULL, " %s", rtnh_flags[i].name);
	pr_array_end(c);
	pr_text(c, "\n");
	pr_obj_end(c);
}

static int do_show(struct cli *c, int argc, char **argv)
{
	_cleanup_free_ struct nsl_route_info *v = NULL;
	struct route_opts o = { 0 };
	struct nsl_err err = { 0 };
	size_t n;
	int r = cli_parse_kw(c, NULL, show_kw, &o, argc, argv);

	if (r)
		return r;
	if (nsl_route_list(c->ctx, NULL, AF_UNSPEC, o.table, &v, &n, &err) < 0)
		return cli_fail(c, NULL, &err);
	pr_array_begin(c, NULL);
	for (size_t i = 0; i < n; i++)
		print_route(c, &v[i]);
	pr_array_end(c);
	return 0;
}

static const struct cli_verb verbs[] = {
	{ "add", do_add },
	{ "del", do_del },
	{ "show", do_show },
	{ NULL, NULL },
};

const struct cli_object cli_obj_route = {
	.name = "route",
	.verbs = verbs,
	.usage = "Usage: nslab [-n NETNS] route add PREFIX|default [via GW] [dev IF] [metric N] [table N]\n"
		 "       nslab [-n NETNS] route del PREFIX|default [via GW] [dev IF] [metric N] [table N]\n"
		 "       nslab [-n NETNS] route show [table N]\n"
		 "PREFIX is IPv4 or IPv6 without host bits (10.1.0.0/16, fd00:1::/64); 'default' is\n"
		 "0.0.0.0/0, or ::/0 when GW is an IPv6 address (write ::/0 for an IPv6 default\n"
		 "without a gateway). add needs 'via' or 'dev' (or both).\n"
		 "table is a number or 'main' (the default). show lists IPv4 then IPv6 routes.\n",
};
