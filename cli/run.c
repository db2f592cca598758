// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `nslab run` (like unshare), `nslab enter` (like nsenter) and `nslab netns exec` (like
 * ip netns exec). Options are util-linux style long options, driven by one table per
 * command; the launching itself is the library's (launch/).
 */
#include <inttypes.h>
#include <stdlib.h>

#include "cli.h"
#include "macro.h"
#include "nslab/launch.h"

#define MAX_MAPS 32
#define MAX_PERSIST 8

struct run_opts {
	struct nsl_launch l;
	struct nsl_idmap uid[MAX_MAPS], gid[MAX_MAPS];
	struct nsl_persist persist[MAX_PERSIST];
	unsigned join; /* enter: namespaces to join */
	bool map_root, map_one; /* --map-root; --map-user or --map-group */
};

enum { ARG_NONE, ARG_REQUIRED, ARG_OPTIONAL };

struct run_opt {
	const char *name;
	int arg;
	int (*set)(struct run_opts *o, const char *val, struct nsl_err *err);
	unsigned bit; /* for the plain namespace flags */
};

static int set_ns(struct run_opts *o, const char *val, struct nsl_err *err);

static int set_net(struct run_opts *o, const char *val, struct nsl_err *err)
{
	int r;

	if (!val) {
		o->l.new_ns |= NSL_NS_NET;
		return 0;
	}
	r = nsl_parse_nsname(val, err);
	if (r < 0)
		return r;
	o->l.netns = val;
	return 0;
}

static int set_hostname(struct run_opts *o, const char *val, struct nsl_err *err)
{
	o->l.hostname = val;
	return 0;
}

static int set_propagation(struct run_opts *o, const char *val, struct nsl_err *err)
{
	static const char *const names[] = {
		[NSL_PROP_PRIVATE] = "private",
		[NSL_PROP_SHARED] = "shared",
		[NSL_PROP_SLAVE] = "slave",
		[NSL_PROP_UNCHANGED] = "unchanged",
	};

	for (unsigned i = 0; i < ELEMENTSOF(names); i++)
		if (STREQ(names[i], val)) {
			o->l.propagation = (enum nsl_propagation)i;
			return 0;
		}
	return nsl_err_set(err, NSL_E_USAGE, -EINVAL, val,
			   "propagation must be private, shared, slave or unchanged");
}

/* --map-root is --map-user 0 --map-group 0: with either of those, one would undo the other. */
static int map_conflict(struct nsl_err *err)
{
	return nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL,
			   "--map-root and --map-user/--map-group exclude each other");
}

static int set_map_root(struct run_opts *o, const char *val, struct nsl_err *err)
{
	if (o->map_one)
		return map_conflict(err);
	o->map_root = true;
	o->l.map_uid = o->l.map_gid = 0;
	return 0;
}

static int parse_id(const char *val, int64_t *ret, struct nsl_err *err)
{
	uint32_t v;
	int r = nsl_parse_u32(val, 0, UINT32_MAX - 1, "id", &v, err);

	if (r == 0)
		*ret = v;
	return r;
}

static int set_map_user(struct run_opts *o, const char *val, struct nsl_err *err)
{
	if (o->map_root)
		return map_conflict(err);
	o->map_one = true;
	return parse_id(val, &o->l.map_uid, err);
}

static int set_map_group(struct run_opts *o, const char *val, struct nsl_err *err)
{
	if (o->map_root)
		return map_conflict(err);
	o->map_one = true;
	return parse_id(val, &o->l.map_gid, err);
}

static int add_map(struct nsl_idmap *tbl, unsigned *n, const char *val, struct nsl_err *err)
{
	if (*n >= MAX_MAPS)
		return nsl_err_set(err, NSL_E_USAGE, -E2BIG, val, "too many maps");
	return nsl_launch_parse_idmap(val, &tbl[(*n)++], err);
}

static int set_map_users(struct run_opts *o, const char *val, struct nsl_err *err)
{
	o->l.uid_map = o->uid;
	return add_map(o->uid, &o->l.n_uid_map, val, err);
}

static int set_map_groups(struct run_opts *o, const char *val, struct nsl_err *err)
{
	o->l.gid_map = o->gid;
	return add_map(o->gid, &o->l.n_gid_map, val, err);
}

/* Seconds, an optional sign, no junk. */
static int parse_seconds(const char *val, int64_t *ret, struct nsl_err *err)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(val, &end, 10);
	if (!*val || *end || errno || v < -(1LL << 40) || v > (1LL << 40))
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, val, "not a number of seconds");
	*ret = v;
	return 0;
}

static int set_monotonic(struct run_opts *o, const char *val, struct nsl_err *err)
{
	return parse_seconds(val, &o->l.monotonic, err);
}

static int set_boottime(struct run_opts *o, const char *val, struct nsl_err *err)
{
	return parse_seconds(val, &o->l.boottime, err);
}

static int set_rootfs(struct run_opts *o, const char *val, struct nsl_err *err)
{
	o->l.rootfs = val;
	return 0;
}

static int set_wd(struct run_opts *o, const char *val, struct nsl_err *err)
{
	o->l.wd = val;
	return 0;
}

static int set_mount_proc(struct run_opts *o, const char *val, struct nsl_err *err)
{
	o->l.mount_proc = true;
	return 0;
}

static int set_init(struct run_opts *o, const char *val, struct nsl_err *err)
{
	o->l.init = true;
	return 0;
}

static int set_kill_child(struct run_opts *o, const char *val, struct nsl_err *err)
{
	o->l.kill_child = true;
	return 0;
}

static int set_persist(struct run_opts *o, const char *val, struct nsl_err *err)
{
	const char *eq = strchr(val, '=');
	char type[16];
	unsigned bit;

	if (!eq || eq == val || !eq[1] || (size_t)(eq - val) >= sizeof(type))
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, val, "expected TYPE=FILE");
	snprintf(type, sizeof(type), "%.*s", (int)(eq - val), val);
	bit = nsl_launch_parse_ns(type);
	if (!bit)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, val, "unknown namespace type '%s'", type);
	if (o->l.n_persist >= MAX_PERSIST)
		return nsl_err_set(err, NSL_E_USAGE, -E2BIG, val, "too many --persist");
	o->persist[o->l.n_persist++] = (struct nsl_persist){ .type = (enum nsl_ns_type)bit,
							      .path = eq + 1 };
	o->l.persist = o->persist;
	o->l.new_ns |= bit;
	return 0;
}

static const struct run_opt run_table[] = {
	{ "net", ARG_OPTIONAL, set_net, 0 },
	{ "uts", ARG_NONE, set_ns, NSL_NS_UTS },
	{ "hostname", ARG_REQUIRED, set_hostname, 0 },
	{ "ipc", ARG_NONE, set_ns, NSL_NS_IPC },
	{ "pid", ARG_NONE, set_ns, NSL_NS_PID },
	{ "mount", ARG_NONE, set_ns, NSL_NS_MNT },
	{ "propagation", ARG_REQUIRED, set_propagation, 0 },
	{ "user", ARG_NONE, set_ns, NSL_NS_USER },
	{ "map-root", ARG_NONE, set_map_root, 0 },
	{ "map-user", ARG_REQUIRED, set_map_user, 0 },
	{ "map-group", ARG_REQUIRED, set_map_group, 0 },
	{ "map-users", ARG_REQUIRED, set_map_users, 0 },
	{ "map-groups", ARG_REQUIRED, set_map_groups, 0 },
	{ "cgroup", ARG_NONE, set_ns, NSL_NS_CGROUP },
	{ "time", ARG_NONE, set_ns, NSL_NS_TIME },
	{ "monotonic", ARG_REQUIRED, set_monotonic, 0 },
	{ "boottime", ARG_REQUIRED, set_boottime, 0 },
	{ "rootfs", ARG_REQUIRED, set_rootfs, 0 },
	{ "mount-proc", ARG_NONE, set_mount_proc, 0 },
	{ "init", ARG_NONE, set_init, 0 },
	{ "kill-child", ARG_NONE, set_kill_child, 0 },
	{ "wd", ARG_REQUIRED, set_wd, 0 },
	{ "persist", ARG_REQUIRED, set_persist, 0 },
	{ 0 },
};

static const struct run_opt enter_table[] = {
	{ "all", ARG_NONE, set_ns, NSL_NS_ALL },
	{ "net", ARG_NONE, set_ns, NSL_NS_NET },
	{ "mount", ARG_NONE, set_ns, NSL_NS_MNT },
	{ "uts", ARG_NONE, set_ns, NSL_NS_UTS },
	{ "ipc", ARG_NONE, set_ns, NSL_NS_IPC },
	{ "pid", ARG_NONE, set_ns, NSL_NS_PID },
	{ "user", ARG_NONE, set_ns, NSL_NS_USER },
	{ "cgroup", ARG_NONE, set_ns, NSL_NS_CGROUP },
	{ "time", ARG_NONE, set_ns, NSL_NS_TIME },
	{ 0 },
};

/* The namespace flags: a bit of new_ns for run, of the set to join for enter. */
static const struct run_opt *cur_opt;
static bool cur_enter;

static int set_ns(struct run_opts *o, const char *val, struct nsl_err *err)
{
	if (cur_enter)
		o->join |= cur_opt->bit;
	else
		o->l.new_ns |= cur_opt->bit;
	return 0;
}

static const struct run_opt *find_opt(const struct run_opt *tbl, const char *name, size_t len)
{
	for (; tbl->name; tbl++)
		if (strlen(tbl->name) == len && strncmp(tbl->name, name, len) == 0)
			return tbl;
	return NULL;
}

/*
 * Walk `--opt`, `--opt=VAL` and `--opt VAL` until `--` or the first word that is not an
 * option; that word starts the command. Return: the index of the command, or -exit code.
 */
static int parse_opts(struct cli *c, const struct run_opt *tbl, bool enter, struct run_opts *o,
		      int argc, char **argv)
{
	int i;

	cur_enter = enter;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *eq, *val = NULL;
		struct nsl_err err = { 0 };
		const struct run_opt *opt;

		if (STREQ(a, "--"))
			return i + 1;
		if (strncmp(a, "--", 2) != 0)
			return i;
		eq = strchr(a + 2, '=');
		opt = find_opt(tbl, a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));
		if (!opt)
			return -cli_usage(c, "unknown option '%s'", a);
		if (eq && opt->arg == ARG_NONE)
			return -cli_usage(c, "option '--%s' takes no value", opt->name);
		if (eq)
			val = eq + 1;
		else if (opt->arg == ARG_REQUIRED) {
			if (i + 1 >= argc)
				return -cli_usage(c, "option '--%s' needs a value", opt->name);
			val = argv[++i];
		}
		cur_opt = opt;
		if (opt->set(o, val, &err) < 0) {
			char msg[sizeof(err.msg) + 64];

			snprintf(msg, sizeof(msg), "--%s: %s", opt->name, err.msg);
			msg[sizeof(err.msg) - 1] = '\0';
			memcpy(err.msg, msg, sizeof(err.msg));
			return -cli_fail(c, val, &err);
		}
	}
	return i;
}

/* Report a failed launch; a command that could not be executed exits 127 or 126. */
static int launch_failed(struct cli *c, int status, const struct nsl_err *err)
{
	if (status == 127 || status == 126)
		return cli_fail_exit(c, NULL, err, status);
	return cli_fail(c, NULL, err);
}

/* Without a command: $SHELL, or /bin/sh (as unshare and nsenter do). */
static char **command_or_shell(int argc, char **argv, char **shell)
{
	const char *s = secure_getenv("SHELL");

	if (argc > 0)
		return argv;
	shell[0] = (char *)(s && *s ? s : "/bin/sh");
	shell[1] = NULL;
	return shell;
}

static int cli_run(struct cli *c, int argc, char **argv)
{
	struct run_opts o;
	struct nsl_err err = { 0 };
	char *shell[2];
	int i, status = 0, r;

	memset(&o, 0, sizeof(o));
	nsl_launch_init(&o.l, NULL);
	i = parse_opts(c, run_table, false, &o, argc, argv);
	if (i < 0)
		return -i;
	/* `nslab -n NS run` joins NS, like `--net=NS`. */
	if (c->argv0_netns && !o.l.netns && !(o.l.new_ns & NSL_NS_NET))
		o.l.netns = c->argv0_netns;
	o.l.argv = command_or_shell(argc - i, argv + i, shell);
	r = nsl_launch_exec(c->ctx, &o.l, &status, &err);
	if (r < 0)
		return launch_failed(c, status, &err);
	return status;
}

static int parse_pid(const char *s, pid_t *ret)
{
	uint32_t v;

	if (nsl_parse_u32(s, 1, INT32_MAX, "PID", &v, NULL) < 0)
		return -EINVAL;
	*ret = (pid_t)v;
	return 0;
}

static int cli_enter(struct cli *c, int argc, char **argv)
{
	struct run_opts o;
	struct nsl_err err = { 0 };
	const char *netns = NULL;
	char *shell[2];
	pid_t pid = 0;
	int i, status = 0, r;

	memset(&o, 0, sizeof(o));
	if (argc < 1)
		return cli_usage(c, "no target given (a PID or 'netns NAME')");
	if (STREQ(argv[0], "netns")) {
		if (argc < 2)
			return cli_usage(c, "'netns' needs a name");
		netns = argv[1];
		if (nsl_parse_nsname(netns, &err) < 0)
			return cli_fail(c, netns, &err);
		argc -= 2, argv += 2;
	} else {
		if (parse_pid(argv[0], &pid) < 0)
			return cli_usage(c, "bad target '%s' (a PID or 'netns NAME')", argv[0]);
		argc--, argv++;
	}
	i = parse_opts(c, enter_table, true, &o, argc, argv);
	if (i < 0)
		return -i;
	if (netns && o.join)
		return cli_usage(c, "'netns NAME' takes no namespace options");
	argv = command_or_shell(argc - i, argv + i, shell);
	if (netns)
		r = nsl_launch_netns_exec(c->ctx, netns, argv, &status, &err);
	else
		r = nsl_launch_enter(c->ctx, pid, o.join ? o.join : NSL_NS_ALL, argv, &status, &err);
	if (r < 0)
		return launch_failed(c, status, &err);
	return status;
}

int cli_netns_exec(struct cli *c, int argc, char **argv)
{
	struct nsl_err err = { 0 };
	const char *name;
	int status = 0, r;

	if (argc < 1)
		return cli_usage(c, "no netns name given");
	name = argv[0];
	if (nsl_parse_nsname(name, &err) < 0)
		return cli_fail(c, name, &err);
	argc--, argv++;
	if (argc > 0 && STREQ(argv[0], "--"))
		argc--, argv++;
	if (argc < 1)
		return cli_usage(c, "no command given");
	r = nsl_launch_netns_exec(c->ctx, name, argv, &status, &err);
	if (r < 0)
		return launch_failed(c, status, &err);
	return status;
}

const struct cli_object cli_obj_run = {
	.name = "run",
	.direct = cli_run,
	.usage = "Usage: nslab run [OPTIONS] [--] [CMD [ARG...]]\n"
		 "Run CMD (default $SHELL) in new namespaces, like unshare(1).\n"
		 "  --net[=NETNS]        a new netns with lo up, or join NETNS as 'ip netns exec'\n"
		 "  --uts [--hostname H] --ipc --pid --mount --cgroup --time\n"
		 "  --propagation private|shared|slave|unchanged   (default private)\n"
		 "  --user --map-root --map-user U --map-group G\n"
		 "  --map-users IN:OUT:N --map-groups IN:OUT:N   (repeatable)\n"
		 "  --monotonic S --boottime S   clock offsets (with --time)\n"
		 "  --rootfs DIR         pivot_root into DIR with /proc /sys /dev /tmp\n"
		 "  --mount-proc         a fresh /proc (implies --mount)\n"
		 "  --init               a small PID 1 that reaps and forwards signals (with --pid)\n"
		 "  --kill-child         CMD dies with nslab\n"
		 "  --wd DIR             working directory\n"
		 "  --persist TYPE=FILE  bind-mount the new TYPE namespace onto FILE\n"
		 "Exit status: CMD's; 128+N when killed by signal N; 126 not executable; 127 not found.\n",
};

const struct cli_object cli_obj_enter = {
	.name = "enter",
	.direct = cli_enter,
	.usage = "Usage: nslab enter PID [--all | --net --mount --uts --ipc --pid --user --cgroup --time]\n"
		 "                   [--] [CMD [ARG...]]\n"
		 "       nslab enter netns NAME [--] [CMD [ARG...]]\n"
		 "Run CMD (default $SHELL) in namespaces of process PID, like nsenter(1) (default\n"
		 "--all: every namespace that differs from nslab's), or in netns NAME with\n"
		 "'ip netns exec' semantics.\n"
		 "Exit status: CMD's; 128+N when killed by signal N; 126 not executable; 127 not found.\n",
};
