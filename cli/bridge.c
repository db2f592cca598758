// SPDX-License-Identifier: GPL-2.0-or-later
/* nslab bridge add|del|attach|detach|show */
#include "cli.h"
#include "macro.h"

static const struct cli_kw add_kw[] = {
	CLI_KW(T_TRI, "stp", struct nsl_bridge, stp),
	CLI_KW(T_TRI, "vlan-filtering", struct nsl_bridge, vlan_filtering),
	CLI_KW(T_TRI, "mcast-snooping", struct nsl_bridge, mcast_snooping),
	CLI_KW(T_MTU, "mtu", struct nsl_bridge, mtu),
	{ NULL },
};

/* The leading interface names of a verb; @keywords: more arguments (keywords) may follow. */
static int name_arg(struct cli *c, int argc, char **argv, int nsli_want, bool keywords)
{
	struct nsl_err err = { 0 };

	if (argc < nsli_want)
		return cli_usage(c, nsli_want == 2 ? "missing NAME PORT" : "missing NAME");
	if (argc > nsli_want && !keywords)
		return cli_usage(c, "unexpected argument '%s'", argv[nsli_want]);
	for (int i = 0; i < nsli_want; i++)
		if (nsl_parse_ifname(argv[i], &err) < 0)
			return cli_fail(c, argv[i], &err);
	return 0;
}

static int do_add(struct cli *c, int argc, char **argv)
{
	struct nsl_bridge b = { .up = true };
	struct nsl_err err = { 0 };
	int r = name_arg(c, argc, argv, 1, true);

	if (r)
		return r;
	b.name = argv[0];
	r = cli_parse_kw(c, argv[0], add_kw, &b, argc - 1, argv + 1);
	if (r)
		return r;
	if (nsl_bridge_add(c->ctx, &b, &err) < 0)
		return cli_fail(c, argv[0], &err);
	return 0;
}

static int do_del(struct cli *c, int argc, char **argv)
{
	struct nsl_err err = { 0 };
	int r = name_arg(c, argc, argv, 1, false);

	if (r)
		return r;
	if (nsl_bridge_del(c->ctx, NULL, argv[0], &err) < 0)
		return cli_fail(c, argv[0], &err);
	return 0;
}

static int do_attach(struct cli *c, int argc, char **argv)
{
	struct nsl_err err = { 0 };
	int r = name_arg(c, argc, argv, 2, false);

	if (r)
		return r;
	if (nsl_bridge_attach(c->ctx, NULL, argv[0], argv[1], &err) < 0)
		return cli_fail(c, err.object[0] ? err.object : argv[0], &err);
	return 0;
}

static int do_detach(struct cli *c, int argc, char **argv)
{
	struct nsl_err err = { 0 };
	int r = name_arg(c, argc, argv, 1, false);

	if (r)
		return r;
	if (nsl_bridge_detach(c->ctx, NULL, argv[0], &err) < 0)
		return cli_fail(c, argv[0], &err);
	return 0;
}

static int do_show(struct cli *c, int argc, char **argv)
{
	_cleanup_free_ struct nsl_link_info *v = NULL;
	struct nsl_err err = { 0 };
	size_t n;

	if (argc > 1)
		return cli_usage(c, "unexpected argument '%s'", argv[1]);
	if (argc == 1 && nsl_parse_ifname(argv[0], &err) < 0)
		return cli_fail(c, argv[0], &err);
	if (nsl_link_list(c->ctx, NULL, NULL, &v, &n, &err) < 0)
		return cli_fail(c, NULL, &err);
	pr_array_begin(c, NULL);
	for (size_t i = 0; i < n; i++) {
		if (!STREQ(v[i].kind, "bridge") || (argc && !STREQ(v[i].ifname, argv[0])))
			continue;
		pr_obj_begin(c, NULL);
		pr_str(c, "ifname", "%s", v[i].ifname);
		pr_str(c, "operstate", " state %s", v[i].operstate);
		pr_uint(c, "mtu", " mtu %llu", v[i].mtu);
		pr_array_begin(c, "ports");
		pr_text(c, " ports:");
		for (size_t j = 0; j < n; j++)
			if (v[j].master == v[i].ifindex)
				pr_str(c, NULL, " %s", v[j].ifname);
		pr_array_end(c);
		pr_text(c, "\n");
		pr_obj_end(c);
	}
	pr_array_end(c);
	if (argc == 1 && !c->json) {
		bool found = false;

		for (size_t i = 0; i < n; i++)
			found |= STREQ(v[i].kind, "bridge") && STREQ(v[i].ifname, argv[0]);
		if (!found) {
			nsl_err_set(&err, NSL_E_USAGE, -ENODEV, argv[0], "bridge '%s' does not exist", argv[0]);
			return cli_fail(c, argv[0], &err);
		}
	}
	return 0;
}

static const struct cli_verb verbs[] = {
	{ "add", do_add },	 { "del", do_del },   { "attach", do_attach },
	{ "detach", do_detach }, { "show", do_show }, { NULL, NULL },
};

const struct cli_object cli_obj_bridge = {
	.name = "bridge",
	.verbs = verbs,
	.usage = "Usage: nslab [-n NETNS] bridge add NAME [stp on|off] [vlan-filtering on|off]\n"
		 "                               [mcast-snooping on|off] [mtu N]\n"
		 "       nslab [-n NETNS] bridge del NAME\n"
		 "       nslab [-n NETNS] bridge attach NAME PORT\n"
		 "       nslab [-n NETNS] bridge detach PORT\n"
		 "       nslab [-n NETNS] bridge show [NAME]\n"
		 "A new bridge comes up at once.\n",
};
