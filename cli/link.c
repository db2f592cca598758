// SPDX-License-Identifier: GPL-2.0-or-later
/* nslab link set|del|show, and the link printer `bridge show` reuses. */
#include <net/if.h>

#include "cli.h"
#include "macro.h"

static const struct {
	unsigned flag;
	const char *name;
} flag_names[] = {
	{ IFF_LOOPBACK, "LOOPBACK" }, { IFF_BROADCAST, "BROADCAST" }, { IFF_POINTOPOINT, "POINTOPOINT" },
	{ IFF_MULTICAST, "MULTICAST" }, { IFF_NOARP, "NOARP" },	    { IFF_ALLMULTI, "ALLMULTI" },
	{ IFF_PROMISC, "PROMISC" },   { IFF_MASTER, "MASTER" },	    { IFF_SLAVE, "SLAVE" },
	{ IFF_UP, "UP" },	      { 0x10000 /* IFF_LOWER_UP */, "LOWER_UP" },
};

static void print_flags(struct cli *c, unsigned flags)
{
	bool first = true;

	pr_array_begin(c, "flags");
	pr_text(c, "<");
	if ((flags & IFF_UP) && !(flags & IFF_RUNNING)) {
		pr_str(c, NULL, "%s", "NO-CARRIER");
		first = false;
	}
	for (size_t i = 0; i < ELEMENTSOF(flag_names); i++)
		if (flags & flag_names[i].flag) {
			pr_text(c, first ? "" : ",");
			pr_str(c, NULL, "%s", flag_names[i].name);
			first = false;
		}
	pr_text(c, ">");
	pr_array_end(c);
}

void cli_print_link(struct cli *c, const struct nsl_link_info *l)
{
	char mac[18];

	pr_obj_begin(c, NULL);
	pr_int(c, "ifindex", "%lld: ", l->ifindex);
	pr_str(c, "ifname", "%s: ", l->ifname);
	print_flags(c, l->flags);
	pr_uint(c, "mtu", " mtu %llu", l->mtu);
	if (l->master_name[0])
		pr_str(c, "master", " master %s", l->master_name);
	pr_str(c, "operstate", " state %s", l->operstate);
	if (l->has_mac) {
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", l->mac[0], l->mac[1],
			 l->mac[2], l->mac[3], l->mac[4], l->mac[5]);
		pr_str(c, "address", " link/ether %s", mac);
	}
	if (l->link_netnsid >= 0)
		pr_int(c, "link_netnsid", " link-netnsid %lld", l->link_netnsid);
	if (l->alias[0])
		pr_str(c, "ifalias", " alias %s", l->alias);
	if (l->n_altnames) {
		pr_array_begin(c, "altnames");
		for (int i = 0; i < l->n_altnames; i++)
			pr_str(c, NULL, " altname %s", l->altnames[i]);
		pr_array_end(c);
	}
	if (l->kind[0]) {
		pr_obj_begin(c, "linkinfo");
		pr_str(c, "info_kind", " %s", l->kind);
		pr_obj_end(c);
	}
	pr_text(c, "\n");
	pr_obj_end(c);
}

struct set_opts {
	struct nsl_link_set s;
	uint8_t mac[6];
};

/* `up` and `down` write one field; giving both is an error, not "the last one wins". */
static int set_updown(struct set_opts *so, enum nsl_tri nsli_want, struct nsl_err *e)
{
	if (so->s.up != NSL_TRI_KEEP && so->s.up != nsli_want)
		return nsl_err_set(e, NSL_E_USAGE, -EINVAL, NULL, "up and down together");
	so->s.up = nsli_want;
	return 0;
}
static int set_up(void *o, const char *v, struct nsl_err *e)
{
	return set_updown(o, NSL_TRI_ON, e);
}
static int set_down(void *o, const char *v, struct nsl_err *e)
{
	return set_updown(o, NSL_TRI_OFF, e);
}
static int set_mac(void *o, const char *v, struct nsl_err *e)
{
	struct set_opts *so = o;

	so->s.mac = so->mac;
	return nsl_parse_mac(v, so->mac, e);
}
static int set_alias(void *o, const char *v, struct nsl_err *e)
{
	((struct set_opts *)o)->s.alias = v;
	return nsl_parse_alias(v, e);
}

static const struct cli_kw set_kw[] = {
	{ "up", 0, false, set_up },
	{ "down", 0, false, set_down },
	CLI_KW(T_IFNAME, "name", struct set_opts, s.name),
	CLI_KW(T_MTU, "mtu", struct set_opts, s.mtu),
	{ "address", 1, false, set_mac },
	CLI_KW(T_STR, "netns", struct set_opts, s.netns),
	CLI_KW(T_IFNAME, "master", struct set_opts, s.master),
	CLI_KW(T_FLAG, "nomaster", struct set_opts, s.nomaster),
	{ "alias", 1, false, set_alias },
	{ NULL },
};

static int do_set(struct cli *c, int argc, char **argv)
{
	struct set_opts o = { 0 };
	struct nsl_err err = { 0 };
	int r;

	if (argc < 1)
		return cli_usage(c, "missing NAME");
	if ((r = cli_check(c, argv[0], nsl_parse_ifname(argv[0], &err), &err)))
		return r;
	if (argc < 2)
		return cli_usage(c, "nothing to change");
	r = cli_parse_kw(c, argv[0], set_kw, &o, argc - 1, argv + 1);
	if (r)
		return r;
	if (nsl_link_set(c->ctx, NULL, argv[0], &o.s, &err) < 0)
		return cli_fail(c, argv[0], &err);
	return 0;
}

static int do_del(struct cli *c, int argc, char **argv)
{
	struct nsl_err err = { 0 };

	if (argc != 1)
		return argc ? cli_usage(c, "unexpected argument '%s'", argv[1]) : cli_usage(c, "missing NAME");
	if (nsl_link_del(c->ctx, NULL, argv[0], &err) < 0)
		return cli_fail(c, argv[0], &err);
	return 0;
}

int cli_show_links(struct cli *c, const char *ifname, const char *kind, const char *master)
{
	_cleanup_free_ struct nsl_link_info *v = NULL;
	struct nsl_err err = { 0 };
	size_t n;

	if (nsl_link_list(c->ctx, NULL, ifname, &v, &n, &err) < 0)
		return cli_fail(c, ifname, &err);
	pr_array_begin(c, NULL);
	for (size_t i = 0; i < n; i++) {
		if (kind && !STREQ(v[i].kind, kind) && !(master && STREQ(v[i].master_name, master)))
			continue;
		cli_print_link(c, &v[i]);
	}
	pr_array_end(c);
	return 0;
}

static int do_show(struct cli *c, int argc, char **argv)
{
	struct nsl_err err = { 0 };
	int r;

	if (argc > 1)
		return cli_usage(c, "unexpected argument '%s'", argv[1]);
	if (argc == 1 && (r = cli_check(c, argv[0], nsl_parse_ifname(argv[0], &err), &err)))
		return r;
	return cli_show_links(c, argc ? argv[0] : NULL, NULL, NULL);
}

static const struct cli_verb verbs[] = {
	{ "set", do_set },
	{ "del", do_del },
	{ "show", do_show },
	{ NULL, NULL },
};

const struct cli_object cli_obj_link = {
	.name = "link",
	.verbs = verbs,
	.usage = "Usage: nslab [-n NETNS] link set NAME [up|down] [name NEW] [mtu N] [address MAC]\n"
		 "                               [netns NS|pid:PID|PATH] [master BR|nomaster] [alias TEXT]\n"
		 "       nslab [-n NETNS] link del NAME\n"
		 "       nslab [-n NETNS] link show [NAME]\n",
};
