// SPDX-License-Identifier: GPL-2.0-or-later
/* nslab veth add NAME peer PEER [netns NS] [peer-netns NS] [mtu N] [address MAC] [peer-address MAC] */
#include "cli.h"
#include "macro.h"

struct veth_opts {
	struct nsl_veth v;
	uint8_t mac[6], peer_mac[6];
};

static int set_mac(void *o, const char *v, struct nsl_err *e)
{
	struct veth_opts *vo = o;

	vo->v.mac = vo->mac;
	return nsl_parse_mac(v, vo->mac, e);
}
static int set_peer_mac(void *o, const char *v, struct nsl_err *e)
{
	struct veth_opts *vo = o;

	vo->v.peer_mac = vo->peer_mac;
	return nsl_parse_mac(v, vo->peer_mac, e);
}

static const struct cli_kw add_kw[] = {
	CLI_KW(T_IFNAME, "peer", struct veth_opts, v.peer),
	CLI_KW(T_STR, "netns", struct veth_opts, v.netns),
	CLI_KW(T_STR, "peer-netns", struct veth_opts, v.peer_netns),
	CLI_KW(T_MTU, "mtu", struct veth_opts, v.mtu),
	{ "address", 1, false, set_mac },
	{ "peer-address", 1, false, set_peer_mac },
	{ NULL },
};

static int check_netns(struct cli *c, const char *ns)
{
	struct nsl_err err = { 0 };
	int r;

	if (!ns)
		return 0;
	r = nsl_netns_exists(c->ctx, ns, &err);
	if (r == 0)
		nsl_err_set(&err, NSL_E_USAGE, -ENOENT, ns, "netns '%s' does not exist", ns);
	return r > 0 ? 0 : cli_fail(c, ns, &err);
}

static int do_add(struct cli *c, int argc, char **argv)
{
	struct veth_opts o = { 0 };
	struct nsl_err err = { 0 };
	int r;

	if (argc < 1)
		return cli_usage(c, "missing NAME");
	if ((r = cli_check(c, argv[0], nsl_parse_ifname(argv[0], &err), &err)))
		return r;
	o.v.name = argv[0];
	r = cli_parse_kw(c, argv[0], add_kw, &o, argc - 1, argv + 1);
	if (r)
		return r;
	if (!o.v.peer)
		return cli_usage(c, "missing 'peer PEER'");
	if ((r = check_netns(c, o.v.netns)) || (r = check_netns(c, o.v.peer_netns)))
		return r;
	if (!o.v.netns)
		o.v.netns = nsl_ctx_get_netns(c->ctx);
	if (nsl_veth_add(c->ctx, &o.v, &err) < 0)
		return cli_fail(c, argv[0], &err);
	return 0;
}

static const struct cli_verb verbs[] = {
	{ "add", do_add },
	{ NULL, NULL },
};

const struct cli_object cli_obj_veth = {
	.name = "veth",
	.verbs = verbs,
	.usage = "Usage: nslab veth add NAME peer PEER [netns NS] [peer-netns NS] [mtu N]\n"
		 "                      [address MAC] [peer-address MAC]\n"
		 "Both ends are created in their namespaces with their names, in one request.\n"
		 "NS is a netns name, pid:PID (the netns of process PID) or a path; a name of digits is a\n"
		 "name, never a PID. Remove a pair with `nslab link del NAME`.\n",
};
