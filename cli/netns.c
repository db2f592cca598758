// SPDX-License-Identifier: GPL-2.0-or-later
/* nslab netns add|del|list|exec|attach|identify|pids|set */
#include <stdlib.h>

#include "cli.h"
#include "macro.h"

static int need(struct cli *c, int argc, int min, int max, const char *what)
{
	if (argc < min)
		return cli_usage(c, "missing %s", what);
	if (max >= 0 && argc > max)
		return cli_usage(c, "unexpected argument");
	return 0;
}

static int do_add(struct cli *c, int argc, char **argv)
{
	struct nsl_err err = { 0 };
	int r = need(c, argc, 1, 1, "NAME");

	if (r)
		return r;
	if (nsl_netns_add(c->ctx, argv[0], &err) < 0)
		return cli_fail(c, argv[0], &err);
	return 0;
}

static int do_del(struct cli *c, int argc, char **argv)
{
	struct nsl_err err = { 0 };
	int ret = 0;

	if (argc == 1 && STREQ(argv[0], "--all")) {
		_cleanup_free_ struct nsl_netns_info *v = NULL;
		size_t n;

		if (nsl_netns_list(c->ctx, &v, &n, &err) < 0)
			return cli_fail(c, NULL, &err);
		for (size_t i = 0; i < n; i++)
			if (nsl_netns_del(c->ctx, v[i].name, &err) < 0)
				ret = cli_fail(c, v[i].name, &err);
		return ret;
	}
	if (argc < 1)
		return cli_usage(c, "missing NAME or --all");
	/* Check every name first: a bad one must leave the others in place. */
	for (int i = 0; i < argc; i++) {
		int r = nsl_netns_exists(c->ctx, argv[i], &err);

		if (r == 0)
			nsl_err_set(&err, NSL_E_USAGE, -ENOENT, argv[i], "netns '%s' does not exist", argv[i]);
		if (r <= 0)
			return cli_fail(c, argv[i], &err);
	}
	for (int i = 0; i < argc; i++)
		if (nsl_netns_del(c->ctx, argv[i], &err) < 0)
			ret = cli_fail(c, argv[i], &err);
	return ret;
}

static int do_list(struct cli *c, int argc, char **argv)
{
	_cleanup_free_ struct nsl_netns_info *v = NULL;
	struct nsl_err err = { 0 };
	size_t n;
	int r = need(c, argc, 0, 0, "");

	if (r)
		return r;
	if (nsl_netns_list(c->ctx, &v, &n, &err) < 0)
		return cli_fail(c, NULL, &err);
	pr_array_begin(c, NULL);
	for (size_t i = 0; i < n; i++) {
		pr_obj_begin(c, NULL);
		pr_str(c, "name", "%s", v[i].name);
		if (v[i].nsid >= 0)
			pr_int(c, "id", " (id: %lld)", v[i].nsid);
		if (v[i].stale)
			pr_bool(c, "stale", " (stale)", true);
		pr_text(c, "\n");
		pr_obj_end(c);
	}
	pr_array_end(c);
	return 0;
}

static int parse_pid(struct cli *c, const char *s, pid_t *ret)
{
	struct nsl_err err = { 0 };
	uint32_t v;

	if (nsl_parse_u32(s, 1, 4194304, "PID", &v, &err) < 0)
		return cli_fail(c, s, &err);
	*ret = (pid_t)v;
	return 0;
}

static int do_attach(struct cli *c, int argc, char **argv)
{
	struct nsl_err err = { 0 };
	pid_t pid;
	int r = need(c, argc, 2, 2, "NAME PID");

	if (r || (r = parse_pid(c, argv[1], &pid)))
		return r;
	if (nsl_netns_attach(c->ctx, argv[0], pid, &err) < 0)
		return cli_fail(c, argv[0], &err);
	return 0;
}

static int do_identify(struct cli *c, int argc, char **argv)
{
	struct nsl_err err = { 0 };
	char name[256];
	pid_t pid = 0;
	int r = need(c, argc, 0, 1, "");

	if (r || (argc == 1 && (r = parse_pid(c, argv[0], &pid))))
		return r;
	if (nsl_netns_identify(c->ctx, pid, name, sizeof(name), &err) < 0)
		return cli_fail(c, argc ? argv[0] : NULL, &err);
	if (c->json) {
		pr_obj_begin(c, NULL);
		pr_str(c, "name", NULL, name);
		pr_obj_end(c);
	} else {
		printf("%s\n", name);
	}
	return 0;
}

static int do_pids(struct cli *c, int argc, char **argv)
{
	_cleanup_free_ pid_t *v = NULL;
	struct nsl_err err = { 0 };
	size_t n;
	int r = need(c, argc, 1, 1, "NAME");

	if (r)
		return r;
	if (nsl_netns_pids(c->ctx, argv[0], &v, &n, &err) < 0)
		return cli_fail(c, argv[0], &err);
	pr_array_begin(c, NULL);
	for (size_t i = 0; i < n; i++)
		pr_int(c, NULL, "%lld\n", v[i]);
	pr_array_end(c);
	return 0;
}

static int do_set(struct cli *c, int argc, char **argv)
{
	struct nsl_err err = { 0 };
	uint32_t id;
	int nsid = -1, r = need(c, argc, 2, 2, "NAME NSID|auto");

	if (r)
		return r;
	if (!STREQ(argv[1], "auto")) {
		if (nsl_parse_u32(argv[1], 0, INT32_MAX, "nsid", &id, &err) < 0)
			return cli_fail(c, argv[1], &err);
		nsid = (int)id;
	}
	if (nsl_netns_set_nsid(c->ctx, argv[0], nsid, &err) < 0)
		return cli_fail(c, argv[0], &err);
	return 0;
}

static const struct cli_verb verbs[] = {
	{ "add", do_add },	 { "del", do_del },	      { "list", do_list },
	{ "exec", cli_netns_exec }, { "attach", do_attach }, { "identify", do_identify },
	{ "pids", do_pids },	 { "set", do_set },	      { NULL, NULL },
};

const struct cli_object cli_obj_netns = {
	.name = "netns",
	.verbs = verbs,
	.usage = "Usage: nslab netns add NAME\n"
		 "       nslab netns del NAME... | --all\n"
		 "       nslab netns list\n"
		 "       nslab netns exec NAME CMD [ARGS...]\n"
		 "       nslab netns attach NAME PID\n"
		 "       nslab netns identify [PID]\n"
		 "       nslab netns pids NAME\n"
		 "       nslab netns set NAME NSID|auto\n"
		 "NAME: [A-Za-z0-9_.-], 1-64 bytes. Files live in the run dir (default /var/run/netns),\n"
		 "shared with `ip netns`. Unlike ip, `add` brings lo up.\n",
};
