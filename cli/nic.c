// SPDX-License-Identifier: GPL-2.0-or-later
/* `nslab nic add|del|list`: hot-add NICs to running processes, containers and netns. */
#include <arpa/inet.h>
#include <sys/socket.h>

#include "cli.h"
#include "macro.h"
#include "nslab/nic.h"

struct add_opts {
	struct nsl_nic nic;
	struct nsl_prefix addrs[NSL_NIC_MAX_ADDRS];
	struct nsl_prefix gws[2];
	uint8_t mac[6];
	size_t n_addrs, n_gws;
};

static int set_ifname(const char **dst, const char *v, struct nsl_err *err)
{
	int r = nsl_parse_ifname(v, err);

	if (r >= 0)
		*dst = v;
	return r;
}

static int kw_bridge(void *o, const char *v, struct nsl_err *err)
{
	return set_ifname(&((struct add_opts *)o)->nic.bridge, v, err);
}

static int kw_name(void *o, const char *v, struct nsl_err *err)
{
	return set_ifname(&((struct add_opts *)o)->nic.ifname, v, err);
}

static int kw_macvlan(void *o, const char *v, struct nsl_err *err)
{
	return set_ifname(&((struct add_opts *)o)->nic.macvlan_parent, v, err);
}

static int kw_mode(void *o, const char *v, struct nsl_err *err)
{
	((struct add_opts *)o)->nic.macvlan_mode = v;
	return 0;
}

static int kw_addr(void *opts, const char *v, struct nsl_err *err)
{
	struct add_opts *o = opts;
	int r;

	if (o->n_addrs >= NSL_NIC_MAX_ADDRS)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, v, "at most %d addresses",
				   NSL_NIC_MAX_ADDRS);
	r = nsl_parse_cidr(v, &o->addrs[o->n_addrs], err);
	if (r < 0)
		return r;
	o->n_addrs++;
	return 0;
}

static int kw_gw(void *opts, const char *v, struct nsl_err *err)
{
	struct add_opts *o = opts;
	int r;

	if (o->n_gws >= 2)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, v, "at most one 'gw' per address family");
	r = nsl_parse_addr(v, &o->gws[o->n_gws], err);
	if (r < 0)
		return r;
	o->n_gws++;
	return 0;
}

static int kw_mac(void *opts, const char *v, struct nsl_err *err)
{
	struct add_opts *o = opts;
	int r;

	if (strncmp(v, "seed:", 5) == 0) {
		if (!v[5])
			return nsl_err_set(err, NSL_E_USAGE, -EINVAL, v, "'mac seed:TEXT' needs a TEXT");
		nsl_nic_mac_from_seed(v + 5, o->mac);
	} else if ((r = nsl_parse_mac(v, o->mac, err)) < 0) {
		return r;
	}
	o->nic.mac = o->mac;
	return 0;
}

static int kw_mtu(void *o, const char *v, struct nsl_err *err)
{
	return nsl_parse_mtu(v, &((struct add_opts *)o)->nic.mtu, err);
}

static int kw_nodad(void *o, const char *v, struct nsl_err *err)
{
	((struct add_opts *)o)->nic.flags |= NSL_NIC_NODAD;
	return 0;
}

static const struct cli_kw add_kw[] = {
	{ "bridge", 1, false, kw_bridge }, { "name", 1, false, kw_name },
	{ "addr", 1, true, kw_addr },	   { "gw", 1, true, kw_gw },
	{ "mac", 1, false, kw_mac },	   { "mtu", 1, false, kw_mtu },
	{ "macvlan", 1, false, kw_macvlan }, { "mode", 1, false, kw_mode },
	{ "nodad", 0, false, kw_nodad },   { NULL },
};

static void print_prefix_list(struct cli *c, const struct nsl_nic_info *i)
{
	char buf[64];

	pr_array_begin(c, "addr_info");
	for (size_t k = 0; k < i->n_addrs; k++) {
		pr_obj_begin(c, NULL);
		pr_str(c, "family", NULL, i->addrs[k].family == AF_INET6 ? "inet6" : "inet");
		pr_str(c, "local", " addr %s", nsl_prefix_str(&i->addrs[k], false, buf, sizeof(buf)));
		pr_uint(c, "prefixlen", "/%llu", i->addrs[k].len);
		pr_obj_end(c);
	}
	pr_array_end(c);
	pr_array_begin(c, "gateway");
	for (size_t k = 0; k < i->n_gws; k++)
		pr_str(c, NULL, " gw %s", nsl_prefix_str(&i->gws[k], false, buf, sizeof(buf)));
	pr_array_end(c);
}

static void print_info(struct cli *c, const struct nsl_nic_info *i)
{
	char mac[32];

	pr_obj_begin(c, NULL);
	pr_str(c, "name", "%s", i->logical);
	pr_str(c, "target", NULL, i->target);
	pr_str(c, "ifname", NULL, i->ifname);
	pr_str(c, "kind", " %s", i->kind);
	if (i->host_ifname[0] || c->json)
		pr_str(c, "host_ifname", " host %s", i->host_ifname);
	if (i->bridge[0] || c->json)
		pr_str(c, "bridge", " bridge %s", i->bridge);
	if (i->parent[0] || c->json)
		pr_str(c, "parent", " parent %s", i->parent);
	if (i->mode[0] || c->json)
		pr_str(c, "mode", " mode %s", i->mode);
	pr_bool(c, "bridge_created", NULL, i->bridge_created);
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", i->mac[0], i->mac[1], i->mac[2],
		 i->mac[3], i->mac[4], i->mac[5]);
	if (i->has_mac || c->json)
		pr_str(c, "address", " mac %s", i->has_mac ? mac : "");
	if (i->mtu || c->json)
		pr_uint(c, "mtu", " mtu %llu", i->mtu);
	print_prefix_list(c, i);
	pr_bool(c, "present", NULL, i->present);
	pr_text(c, "%s\n", i->present ? "" : " (gone)");
	pr_obj_end(c);
}

static int parse_target(struct cli *c, int argc, char **argv, struct nsl_nic_target *t, int *used)
{
	struct nsl_err err = { 0 };

	if (argc < 1)
		return cli_usage(c, "no TARGET given");
	if (nsl_nic_target_parse(argv, argc, t, used, &err) < 0)
		return cli_fail(c, argv[0], &err);
	return 0;
}

static int nic_add(struct cli *c, int argc, char **argv)
{
	struct add_opts o = { 0 };
	struct nsl_nic_info info;
	struct nsl_err err = { 0 };
	int used, r;

	r = parse_target(c, argc, argv, &o.nic.target, &used);
	if (r)
		return r;
	r = cli_parse_kw(c, argv[used - 1], add_kw, &o, argc - used, argv + used);
	if (r)
		return r;
	o.nic.addrs = o.addrs;
	o.nic.n_addrs = o.n_addrs;
	o.nic.gws = o.gws;
	o.nic.n_gws = o.n_gws;
	if (nsl_nic_add(c->ctx, &o.nic, &info, &err) < 0)
		return cli_fail(c, argv[used - 1], &err);
	if (!c->quiet || c->json)
		print_info(c, &info);
	return 0;
}

struct del_opts {
	const char *ifname;
	bool prune;
};

static int kw_del_name(void *o, const char *v, struct nsl_err *err)
{
	return set_ifname(&((struct del_opts *)o)->ifname, v, err);
}

static int kw_prune(void *o, const char *v, struct nsl_err *err)
{
	((struct del_opts *)o)->prune = true;
	return 0;
}

static const struct cli_kw del_kw[] = {
	{ "name", 1, false, kw_del_name },
	{ "--prune-bridge", 0, false, kw_prune },
	{ NULL },
};

static int nic_del(struct cli *c, int argc, char **argv)
{
	struct nsl_nic_target t;
	struct del_opts o = { 0 };
	struct nsl_err err = { 0 };
	int used, r;

	r = parse_target(c, argc, argv, &t, &used);
	if (r)
		return r;
	r = cli_parse_kw(c, argv[used - 1], del_kw, &o, argc - used, argv + used);
	if (r)
		return r;
	if (!o.ifname)
		return cli_usage(c, "'name IF' is required");
	if (nsl_nic_del(c->ctx, &t, o.ifname, o.prune ? NSL_NIC_PRUNE_BRIDGE : 0, &err) < 0)
		return cli_fail(c, argv[used - 1], &err);
	return 0;
}

static int nic_list(struct cli *c, int argc, char **argv)
{
	_cleanup_free_ struct nsl_nic_info *v = NULL;
	struct nsl_nic_target t;
	struct nsl_err err = { 0 };
	size_t n = 0;
	int used = 0, r;

	if (argc > 0) {
		r = parse_target(c, argc, argv, &t, &used);
		if (r)
			return r;
		if (used < argc)
			return cli_usage(c, "unexpected argument '%s'", argv[used]);
	}
	if (nsl_nic_list(c->ctx, argc > 0 ? &t : NULL, &v, &n, &err) < 0)
		return cli_fail(c, argc > 0 ? argv[used - 1] : NULL, &err);
	pr_array_begin(c, NULL);
	for (size_t i = 0; i < n; i++)
		print_info(c, &v[i]);
	pr_array_end(c);
	return 0;
}

static const struct cli_verb nic_verbs[] = {
	{ "add", nic_add },
	{ "del", nic_del },
	{ "list", nic_list },
	{ NULL },
};

const struct cli_object cli_obj_nic = {
	.name = "nic",
	.verbs = nic_verbs,
	.usage = "Usage: nslab nic add TARGET [bridge BR] [name IF] [addr CIDR]... [gw IP]...\n"
		 "                      [mac MAC|seed:TEXT] [mtu N] [nodad]\n"
		 "                      [macvlan PARENT [mode bridge|private|vepa|passthru|source]]\n"
		 "       nslab nic del TARGET name IF [--prune-bridge]\n"
		 "       nslab nic list [TARGET]\n"
		 "TARGET := PID | netns NAME | CONTAINER | docker:CONTAINER | podman:CONTAINER\n",
};
