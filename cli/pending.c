// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Development scaffolding: weak placeholders for objects whose cli/<object>.c is not in the
 * tree yet. A real definition in cli/<object>.c overrides each one. To be deleted once
 * every object exists.
 */
#include "cli.h"

static int pending(struct cli *c, int argc, char **argv)
{
	struct nsl_err err = { 0 };

	(void)argc;
	(void)argv;
	nsl_err_set(&err, NSL_E_SYSTEM, -ENOSYS, NULL, "not built yet");
	return cli_fail(c, NULL, &err);
}

#define PENDING(sym, nm)                                                                           \
	__attribute__((weak)) const struct cli_object sym = { .name = nm, .usage = "", .direct = pending }

PENDING(cli_obj_netns, "netns");
PENDING(cli_obj_veth, "veth");
PENDING(cli_obj_bridge, "bridge");
PENDING(cli_obj_link, "link");
PENDING(cli_obj_addr, "addr");
PENDING(cli_obj_route, "route");
PENDING(cli_obj_dns, "dns");
PENDING(cli_obj_hosts, "hosts");
PENDING(cli_obj_sysctl, "sysctl");
PENDING(cli_obj_nic, "nic");
PENDING(cli_obj_run, "run");
PENDING(cli_obj_enter, "enter");
PENDING(cli_obj_up, "up");
PENDING(cli_obj_down, "down");
PENDING(cli_obj_status, "status");
PENDING(cli_obj_plan, "plan");
PENDING(cli_obj_graph, "graph");
PENDING(cli_obj_test, "test");
PENDING(cli_obj_exec, "exec");

__attribute__((weak)) int cli_netns_exec(struct cli *c, int argc, char **argv)
{
	return pending(c, argc, argv);
}
