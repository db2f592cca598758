// SPDX-License-Identifier: GPL-2.0-or-later
/* Lab verbs: up, down, status, plan, graph, test, exec — `nslab VERB ARGS`. */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "macro.h"
#include "nslab/launch.h"
#include "nslab/probe.h"
#include "nslab/topo.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct nsl_topo *, nsl_topo_free);

/* A topology error is `FILE:LINE:COL: what is wrong` (DESIGN §3); others the usual line. */
static int topo_fail(struct cli *c, const char *file, const struct nsl_err *err)
{
	char msg[600];

	if (!err->line)
		return cli_fail(c, file, err);
	nsl_err_format(err, msg, sizeof(msg));
	fprintf(stderr, "%s:%u:%u: %s\n", file, err->line, err->column, msg);
	if (c->json) {
		printf("{\"error\":{\"file\":");
		pr_json_string(stdout, file);
		printf(",\"line\":%u,\"column\":%u,\"message\":", err->line, err->column);
		pr_json_string(stdout, msg);
		printf(",\"exit_code\":%d}}\n", cli_exit_code(err->kind));
	}
	return cli_exit_code(err->kind);
}

/* --any-kind and --strict of the verbs that load a file (containerlab files), for this command. */
static unsigned load_flags;

/* @argv without --any-kind and --strict, which set load_flags. Return: the words left. */
static int load_args(int argc, char **argv)
{
	int n = 0;

	load_flags = 0;
	for (int i = 0; i < argc; i++) {
		if (STREQ(argv[i], "--any-kind"))
			load_flags |= NSL_TOPO_LOAD_ANY_KIND;
		else if (STREQ(argv[i], "--strict"))
			load_flags |= NSL_TOPO_LOAD_STRICT;
		else
			argv[n++] = argv[i];
	}
	return n;
}

/* A key of a containerlab file that is ignored: `nslab: FILE:LINE:COL: what`, with -q too. */
static void warn_cb(void *data, const struct nsl_err *w)
{
	(void)data;
	fprintf(stderr, "nslab: %s:%u:%u: %s\n", w->object, w->line, w->column, w->msg);
}

/* @kernel: also refuse a containerlab bridge that exists already (up and plan). */
static int load_file_opts(struct cli *c, const char *path, bool kernel, struct nsl_topo **ret)
{
	struct nsl_err err = { 0 };
	struct nsl_topo_load_opts o = { .flags = load_flags, .warn = warn_cb, .ctx = kernel ? c->ctx : NULL };
	int r = nsl_topo_load_opts(path, NULL, 0, &o, ret, &err);

	return r < 0 ? topo_fail(c, path, &err) : 0;
}

static int load_file(struct cli *c, const char *path, struct nsl_topo **ret)
{
	return load_file_opts(c, path, false, ret);
}

/* FILE or LAB: a name with '/' or '.', or an existing file, is a file. */
static bool is_file(const char *arg)
{
	struct stat st;

	return strchr(arg, '/') || strchr(arg, '.') || stat(arg, &st) == 0;
}

static int load_any(struct cli *c, const char *arg, struct nsl_topo **ret)
{
	struct nsl_err err = { 0 };

	if (is_file(arg))
		return load_file(c, arg, ret);
	if (nsl_topo_load_lab(c->ctx, arg, ret, &err) < 0)
		return cli_fail(c, arg, &err);
	return 0;
}

struct progress {
	struct cli *c;
	bool tty;
	bool dirty;
};

static void progress_cb(void *data, unsigned k, unsigned n, const char *what)
{
	struct progress *p = data;

	if (p->c->quiet)
		return;
	if (p->tty) {
		fprintf(stderr, "\r[%u/%u] %.60s\033[K", k, n, what);
		p->dirty = true;
	} else {
		fprintf(stderr, "[%u/%u] %s\n", k, n, what);
	}
}

static void progress_end(struct progress *p)
{
	if (p->dirty)
		fputs("\r\033[K", stderr);
	p->dirty = false;
}

/* What down left alone: a warning line each, with -q too (it is no progress). */
static void note_cb(void *data, const char *note)
{
	struct progress *p = data;

	progress_end(p);
	fprintf(stderr, "nslab: down: %s\n", note);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int print_plan(struct cli *c, struct nsl_topo *t)
{
	struct nsl_err err = { 0 };
	_cleanup_free_ struct nsl_topo_change *v = NULL;
	size_t n = 0;

	if (nsl_topo_plan(c->ctx, t, &v, &n, &err) < 0)
		return topo_fail(c, t->path, &err);
	pr_obj_begin(c, NULL);
	pr_str(c, "lab", NULL, t->name);
	pr_array_begin(c, "changes");
	for (size_t i = 0; i < n; i++) {
		char op[2] = { v[i].op, 0 };

		pr_obj_begin(c, NULL);
		pr_str(c, "op", "%s ", op);
		pr_str(c, "what", "%s\n", v[i].what);
		pr_obj_end(c);
	}
	pr_array_end(c);
	pr_uint(c, "count", "%llu changes\n", n);
	pr_obj_end(c);
	return 0;
}

static int do_up(struct cli *c, int argc, char **argv)
{
	_cleanup_(nsl_topo_freep) struct nsl_topo *t = NULL;
	struct progress p = { .c = c, .tty = isatty(2) };
	struct nsl_err err = { 0 };
	bool dry = false;
	const char *file = NULL;
	unsigned changes = 0;
	double t0 = now_s();
	int r, saved;

	argc = load_args(argc, argv);
	for (int i = 0; i < argc; i++) {
		if (STREQ(argv[i], "--dry-run"))
			dry = true;
		else if (!file)
			file = argv[i];
		else
			return cli_usage(c, "unexpected argument '%s'", argv[i]);
	}
	if (!file)
		return cli_usage(c, "no topology file given");
	r = load_file_opts(c, file, true, &t);
	if (r)
		return r;
	if (dry)
		return print_plan(c, t);
	/* Output of the file's `exec` commands goes to stderr: stdout carries only the result
	 * (one JSON value with -j). */
	fflush(stdout);
	saved = fcntl(1, F_DUPFD_CLOEXEC, 3);
	if (saved >= 0)
		dup2(2, 1);
	r = nsl_topo_up(c->ctx, t, progress_cb, &p, &changes, &err);
	if (saved >= 0) {
		dup2(saved, 1);
		close(saved);
	}
	progress_end(&p);
	if (r < 0)
		return topo_fail(c, file, &err);
	pr_obj_begin(c, NULL);
	pr_str(c, "lab", "lab %s up: ", t->name);
	pr_uint(c, "changes", "%llu changes", changes);
	pr_uint(c, "nodes", ", %llu nodes", t->n_nodes);
	pr_text(c, " in %.2fs\n", now_s() - t0);
	pr_obj_end(c);
	return 0;
}

static int do_down(struct cli *c, int argc, char **argv)
{
	_cleanup_(nsl_topo_freep) struct nsl_topo *t = NULL;
	struct progress p = { .c = c, .tty = isatty(2) };
	struct nsl_err err = { 0 };
	struct nsl_topo_down_opts o = { .force = c->force, .progress = progress_cb, .data = &p,
					.note = note_cb, .note_data = &p };
	const char *lab = NULL;
	unsigned removed = 0;
	double t0 = now_s();
	int r;

	argc = load_args(argc, argv);
	for (int i = 0; i < argc; i++) {
		if (STREQ(argv[i], "--force"))
			o.force = true;
		else if (lab)
			return cli_usage(c, "too many arguments");
		else
			lab = argv[i];
	}
	if (!lab)
		return cli_usage(c, "no file or lab given");
	if (is_file(lab)) {
		r = load_file(c, lab, &t);
		if (r)
			return r;
		lab = t->name;
	} else if (nsl_parse_labname(lab, &err) < 0) {
		return cli_fail(c, lab, &err);
	}
	r = nsl_topo_down_opts(c->ctx, lab, &o, &removed, &err);
	progress_end(&p);
	if (r < 0)
		return cli_fail(c, lab, &err);
	pr_obj_begin(c, NULL);
	pr_str(c, "lab", "lab %s down: ", lab);
	pr_uint(c, "removed", "%llu objects removed", removed);
	pr_text(c, " in %.2fs\n", now_s() - t0);
	pr_obj_end(c);
	return 0;
}

static int do_plan(struct cli *c, int argc, char **argv)
{
	_cleanup_(nsl_topo_freep) struct nsl_topo *t = NULL;
	int r;

	argc = load_args(argc, argv);
	if (argc != 1)
		return cli_usage(c, argc ? "too many arguments" : "no topology file given");
	r = load_file_opts(c, argv[0], true, &t);
	return r ? r : print_plan(c, t);
}

/* ---- status ---- */

/* What the kernel holds of node @n, shown beside the model; what counts as drift is the
 * library's (nsl_topo_drift()), not decided here. */
/* "running 3m12s", "exited 1 2s ago", "restarting (4 restarts)". */
static void fmt_age(char *buf, size_t size, long long secs)
{
	if (secs < 0)
		secs = 0;
	if (secs < 120)
		snprintf(buf, size, "%llds", secs);
	else if (secs < 7200)
		snprintf(buf, size, "%lldm%llds", secs / 60, secs % 60);
	else
		snprintf(buf, size, "%lldh%lldm", secs / 3600, secs / 60 % 60);
}

static void status_procs(struct cli *c, const struct nsl_topo *t, const struct nsl_topo_node *n)
{
	_cleanup_free_ struct nsl_topo_proc_state *v = NULL;
	size_t nv = 0;
	bool sup = (n->supervised || n->run) && nsl_topo_procs(c->ctx, t->name, n->name, &v, &nv, NULL) == 0;
	long long now = (long long)time(NULL);

	pr_array_begin(c, "processes");
	for (size_t i = 0; i < n->n_procs; i++) {
		const struct nsl_topo_proc *p = &n->procs[i];
		const struct nsl_topo_proc_state *s = NULL;
		char age[32];

		for (size_t k = 0; sup && k < nv; k++)
			if (STREQ(v[k].name, p->name))
				s = &v[k];
		fmt_age(age, sizeof(age), s ? now - s->since : 0);
		pr_obj_begin(c, NULL);
		pr_str(c, "name", "    process %s", p->name);
		pr_str(c, "state", " %s", s ? s->state : sup ? "starting" : "not-running");
		if (s && STREQ(s->state, "exited"))
			pr_text(c, " %s", s->last);
		pr_int(c, "pid", " pid %lld", s ? s->pid : 0);
		pr_int(c, "node_pid", NULL, s ? s->node_pid : 0);
		pr_int(c, "since", NULL, s ? s->since : 0);
		pr_text(c, " %s %s", s && STREQ(s->state, "running") ? "up" : "for", age);
		pr_uint(c, "restarts", " restarts %llu", s ? s->restarts : 0);
		pr_str(c, "last_exit", NULL, s ? s->last : "-");
		pr_bool(c, "running", NULL, s && STREQ(s->state, "running"));
		pr_str(c, "command", " %s\n", p->argv[0]);
		pr_obj_end(c);
	}
	pr_array_end(c);
}

static void status_node(struct cli *c, const struct nsl_topo *t, const struct nsl_topo_node *n)
{
	_cleanup_free_ struct nsl_link_info *li = NULL;
	_cleanup_free_ struct nsl_addr_info *ai = NULL;
	size_t nl = 0, na = 0;
	bool present = nsl_netns_exists(c->ctx, n->netns, NULL) == 1;

	pr_obj_begin(c, NULL);
	pr_str(c, "name", "%s", n->name);
	pr_str(c, "netns", " (netns %s)", n->netns);
	pr_bool(c, "present", NULL, present);
	pr_text(c, "%s\n", present ? "" : " MISSING");
	if (present) {
		nsl_link_list(c->ctx, n->netns, NULL, &li, &nl, NULL);
		nsl_addr_list(c->ctx, n->netns, NULL, &ai, &na, NULL);
	}
	pr_array_begin(c, "interfaces");
	for (size_t i = 0; i < n->n_ifaces; i++) {
		const struct nsl_topo_iface *ifc = &n->ifaces[i];
		const struct nsl_link_info *l = NULL;

		for (size_t k = 0; k < nl; k++)
			if (STREQ(li[k].ifname, ifc->name))
				l = &li[k];
		pr_obj_begin(c, NULL);
		pr_str(c, "ifname", "    %s", ifc->name);
		pr_str(c, "operstate", " %s", l ? l->operstate : "MISSING");
		pr_uint(c, "mtu", " mtu %llu", l ? l->mtu : 0);
		if (ifc->bridge)
			pr_str(c, "bridge", " bridge %s", ifc->bridge);
		pr_array_begin(c, "addr_info");
		for (size_t a = 0; a < ifc->n_addrs; a++) {
			char s[64];
			bool found = false;

			for (size_t k = 0; l && k < na; k++)
				if (ai[k].ifindex == l->ifindex && ai[k].addr.family == ifc->addrs[a].family &&
				    ai[k].addr.len == ifc->addrs[a].len &&
				    !memcmp(ai[k].addr.addr, ifc->addrs[a].addr, 16))
					found = true;
			pr_obj_begin(c, NULL);
			pr_str(c, "local", " %s", nsl_prefix_str(&ifc->addrs[a], false, s, sizeof(s)));
			pr_uint(c, "prefixlen", "/%llu", ifc->addrs[a].len);
			pr_bool(c, "present", NULL, found);
			pr_text(c, "%s", found ? "" : " (missing)");
			pr_obj_end(c);
		}
		pr_array_end(c);
		pr_text(c, "\n");
		pr_obj_end(c);
	}
	pr_array_end(c);
	status_procs(c, t, n);
	pr_obj_end(c);
}

static int status_lab(struct cli *c, const char *lab)
{
	_cleanup_(nsl_topo_freep) struct nsl_topo *t = NULL;
	struct nsl_err err = { 0 };
	char **drift = NULL;
	size_t n_drift = 0;

	if (nsl_topo_load_lab(c->ctx, lab, &t, &err) < 0 || nsl_topo_drift(c->ctx, lab, &drift, &n_drift, &err) < 0)
		return cli_fail(c, lab, &err);
	pr_obj_begin(c, NULL);
	pr_str(c, "name", "lab %s\n", t->name);
	pr_array_begin(c, "bridges");
	for (size_t i = 0; i < t->n_bridges; i++) {
		const struct nsl_topo_bridge *b = &t->bridges[i];
		const char *ns = b->node_idx >= 0 ? t->nodes[b->node_idx].netns : NULL;
		bool present = nsl_link_exists(c->ctx, ns, b->ifname, NULL) == 1;

		pr_obj_begin(c, NULL);
		pr_str(c, "name", "  bridge %s", b->name);
		pr_str(c, "ifname", " (%s", b->ifname);
		pr_str(c, "netns", " in %s)", ns ? ns : "root");
		pr_bool(c, "present", NULL, present);
		pr_text(c, "%s\n", present ? "" : " MISSING");
		pr_obj_end(c);
	}
	pr_array_end(c);
	pr_array_begin(c, "nodes");
	for (size_t i = 0; i < t->n_nodes; i++) {
		pr_text(c, "  node ");
		status_node(c, t, &t->nodes[i]);
	}
	pr_array_end(c);
	pr_str(c, "state", "state: %s\n", n_drift ? "drifted" : "up");
	pr_array_begin(c, "drift");
	for (size_t i = 0; i < n_drift; i++)
		pr_str(c, NULL, "  drift: %s\n", drift[i]);
	pr_array_end(c);
	pr_obj_end(c);
	nsl_strv_free(drift, n_drift);
	return 0;
}

static int do_status(struct cli *c, int argc, char **argv)
{
	struct nsl_err err = { 0 };
	char **labs = NULL;
	size_t n = 0;

	argc = load_args(argc, argv);
	if (argc > 1)
		return cli_usage(c, "too many arguments");
	if (argc == 1) {
		_cleanup_(nsl_topo_freep) struct nsl_topo *t = NULL;

		if (is_file(argv[0])) {
			int r = load_file(c, argv[0], &t);

			if (r)
				return r;
			return status_lab(c, t->name);
		}
		return status_lab(c, argv[0]);
	}
	if (nsl_topo_labs(c->ctx, &labs, &n, &err) < 0)
		return cli_fail(c, NULL, &err);
	pr_array_begin(c, NULL);
	for (size_t i = 0; i < n; i++) {
		_cleanup_(nsl_topo_freep) struct nsl_topo *t = NULL;
		bool ok = nsl_topo_load_lab(c->ctx, labs[i], &t, NULL) == 0;
		char **drift = NULL;
		size_t n_drift = 0, nodes = 0;

		/* The same state as `status LAB` says, from the same library call. */
		if (ok && nsl_topo_drift(c->ctx, labs[i], &drift, &n_drift, NULL) < 0)
			ok = false;
		nsl_strv_free(drift, n_drift);
		nodes = ok ? t->n_nodes : nsl_topo_netns_count(c->ctx, labs[i]);
		pr_obj_begin(c, NULL);
		pr_str(c, "name", "%s", labs[i]);
		pr_str(c, "state", " %s", !ok ? "incomplete" : n_drift ? "drifted" : "up");
		pr_uint(c, "nodes", " %llu nodes\n", nodes);
		pr_obj_end(c);
	}
	pr_array_end(c);
	nsl_strv_free(labs, n);
	return 0;
}

/* ---- graph ---- */

static int do_graph(struct cli *c, int argc, char **argv)
{
	_cleanup_(nsl_topo_freep) struct nsl_topo *t = NULL;
	_cleanup_free_ char *out = NULL;
	enum nsl_topo_graph_format fmt = NSL_TOPO_GRAPH_DOT;
	struct nsl_err err = { 0 };
	const char *what = NULL;
	int r;

	argc = load_args(argc, argv);
	for (int i = 0; i < argc; i++) {
		if (STREQ(argv[i], "--format") && i + 1 < argc) {
			const char *f = argv[++i];

			if (STREQ(f, "dot"))
				fmt = NSL_TOPO_GRAPH_DOT;
			else if (STREQ(f, "mermaid"))
				fmt = NSL_TOPO_GRAPH_MERMAID;
			else if (STREQ(f, "json"))
				fmt = NSL_TOPO_GRAPH_JSON;
			else
				return cli_usage(c, "unknown format '%s' (dot, mermaid, json)", f);
		} else if (!what && argv[i][0] != '-') {
			what = argv[i];
		} else {
			return cli_usage(c, "unexpected argument '%s'", argv[i]);
		}
	}
	if (!what)
		return cli_usage(c, "no file or lab given");
	if (c->json)
		fmt = NSL_TOPO_GRAPH_JSON;
	r = load_any(c, what, &t);
	if (r)
		return r;
	if (nsl_topo_graph_opts(t, &(struct nsl_topo_graph_opts){ .format = fmt, .pretty = c->pretty }, &out,
				&err) < 0)
		return cli_fail(c, what, &err);
	fputs(out, stdout);
	if (c->json)
		fflush(stdout);
	c->json = false; /* already a complete value */
	return 0;
}

/* ---- test ---- */

/* What came back, and with `within` how long it took to hold (or that it never did). */
static void test_outcome(struct cli *c, const struct nsl_topo_expect *x, const struct nsl_probe *p, bool ok)
{
	bool reached = p->result == 0;
	char took[48] = "";

	if (x->within_ms && ok)
		snprintf(took, sizeof(took), " after %.1f s", p->elapsed_ms / 1000.0);
	else if (x->within_ms)
		snprintf(took, sizeof(took), ", not within %g s", x->within_ms / 1000.0);
	if (ok && reached)
		pr_text(c, "ok  %.3f ms%s\n", p->rtt_us / 1000.0, took);
	else if (ok)
		pr_text(c, "ok  (%s)%s\n", strerror(-p->result), took);
	else if (reached)
		pr_text(c, "FAIL (reached%s)\n", took);
	else
		pr_text(c, "FAIL (%s%s)\n", strerror(-p->result), took);
}

/* One line (text) or object (JSON) of `test`. Return: whether the expectation held. */
static bool test_row(struct cli *c, const struct nsl_topo *t, const struct nsl_topo_expect *x,
		     const struct nsl_probe *p)
{
	bool reached = p->result == 0;
	bool ok = reached == x->reach;
	char a[64], to[160], port[16] = "";

	nsl_prefix_str(&x->addr, false, a, sizeof(a));
	if (x->tcp)
		snprintf(port, sizeof(port), " tcp %u", x->tcp);
	if (STREQ(a, x->to))
		snprintf(to, sizeof(to), "%s%s", a, port);
	else
		snprintf(to, sizeof(to), "%s (%s)%s", x->to, a, port);
	pr_obj_begin(c, NULL);
	pr_str(c, "from", "%-16s ", t->nodes[x->from].name);
	pr_str(c, "to", NULL, x->to);
	pr_str(c, "address", NULL, a);
	if (x->tcp)
		pr_uint(c, "tcp", NULL, x->tcp);
	if (x->within_ms)
		pr_uint(c, "within", NULL, x->within_ms / 1000);
	pr_text(c, "%-28s ", to);
	pr_bool(c, "expect_reach", NULL, x->reach);
	pr_text(c, "%-7s ", x->reach ? "reach" : "none");
	pr_bool(c, "reached", NULL, reached);
	pr_text(c, "%-7s ", reached ? "reach" : "none");
	pr_bool(c, "ok", NULL, ok);
	pr_uint(c, "rtt_us", NULL, p->rtt_us);
	pr_uint(c, "elapsed_ms", NULL, p->elapsed_ms);
	if (!reached)
		pr_str(c, "error", NULL, strerror(-p->result));
	test_outcome(c, x, p, ok);
	pr_obj_end(c);
	return ok;
}

static int do_test(struct cli *c, int argc, char **argv)
{
	_cleanup_(nsl_topo_freep) struct nsl_topo *t = NULL;
	_cleanup_free_ struct nsl_probe *pr = NULL;
	struct nsl_err err = { 0 };
	size_t failed = 0;
	int r;

	argc = load_args(argc, argv);
	if (argc != 1)
		return cli_usage(c, argc ? "too many arguments" : "no file or lab given");
	r = load_any(c, argv[0], &t);
	if (r)
		return r;
	/* A lab that is not up would pass every reach: false and prove nothing. */
	{
		_cleanup_(nsl_topo_freep) struct nsl_topo *up = NULL;

		if (nsl_topo_load_lab(c->ctx, t->name, &up, NULL) < 0) {
			nsl_err_set(&err, NSL_E_USAGE, -ENOENT, t->name, "lab is not up");
			return cli_fail(c, t->name, &err);
		}
	}
	pr = calloc(t->n_expects + 1, sizeof(*pr));
	if (!pr)
		return cli_fail(c, NULL, &(struct nsl_err){ .kind = NSL_E_SYSTEM, .msg = "out of memory" });
	if (nsl_topo_probe(c->ctx, t, pr, &err) < 0)
		return cli_fail(c, t->name, &err);
	pr_obj_begin(c, NULL);
	pr_str(c, "lab", NULL, t->name);
	pr_text(c, "%-16s %-28s %-7s %-7s %s\n", "FROM", "TO", "EXPECT", "RESULT", "");
	pr_array_begin(c, "results");
	for (size_t i = 0; i < t->n_expects; i++)
		failed += !test_row(c, t, &t->expects[i], &pr[i]);
	pr_array_end(c);
	pr_uint(c, "passed", "%llu passed, ", t->n_expects - failed);
	pr_uint(c, "failed", "%llu failed\n", failed);
	pr_obj_end(c);
	return failed ? 1 : 0;
}

/* ---- convert ---- */

/* The native topology file of a containerlab file, on stdout. */
static int do_convert(struct cli *c, int argc, char **argv)
{
	_cleanup_(nsl_topo_freep) struct nsl_topo *t = NULL;
	struct nsl_err err = { 0 };
	int r;

	argc = load_args(argc, argv);
	if (argc != 1)
		return cli_usage(c, argc ? "too many arguments" : "no containerlab file given");
	r = load_file(c, argv[0], &t);
	if (r)
		return r;
	if (!t->clab) {
		nsl_err_set(&err, NSL_E_USAGE, -EINVAL, argv[0], "not a containerlab file (it has no top-level 'topology:')");
		return cli_fail(c, argv[0], &err);
	}
	if (!c->json) {
		fwrite(t->text, 1, t->text_len, stdout);
		return 0;
	}
	pr_obj_begin(c, NULL);
	pr_str(c, "lab", NULL, t->name);
	pr_str(c, "topology", NULL, t->text);
	pr_obj_end(c);
	return 0;
}

/* ---- exec ---- */

static int do_exec(struct cli *c, int argc, char **argv)
{
	struct nsl_err err = { 0 };
	int status = 0, r, cmd = 2;

	if (argc < 2)
		return cli_usage(c, "usage: exec LAB NODE [-- CMD...]");
	if (argc > 2 && STREQ(argv[2], "--"))
		cmd = 3;
	fflush(stdout);
	/* Without a command: the user's shell, in the node's view. */
	r = nsl_topo_exec(c->ctx, argv[0], argv[1], cmd < argc ? argv + cmd : NULL, -1, &status, &err);
	if (r < 0 && status == 0)
		return cli_fail(c, argv[1], &err);
	if (r < 0)
		cli_fail(c, argv[1], &err);
	return status;
}

const struct cli_object cli_obj_up = {
	.name = "up",
	.usage = "Usage: nslab up FILE [--dry-run]\n"
		 "Bring the lab of FILE up, or in line with FILE when it is up already.\n",
	.direct = do_up,
};
const struct cli_object cli_obj_down = {
	.name = "down",
	.usage = "Usage: nslab down FILE|LAB [--force]\n"
		 "Take a lab down (its file is not needed); a lab already down is fine.\n"
		 "Only what is proven the lab's is removed; with --force also when its journal is\n"
		 "damaged: what carries the lab's markers.\n",
	.direct = do_down,
};
const struct cli_object cli_obj_status = {
	.name = "status",
	.usage = "Usage: nslab status [LAB|FILE]\nList the labs, or show one and its drift.\n",
	.direct = do_status,
};
const struct cli_object cli_obj_plan = {
	.name = "plan",
	.usage = "Usage: nslab plan FILE\nShow what `up FILE` would change.\n",
	.direct = do_plan,
};
const struct cli_object cli_obj_graph = {
	.name = "graph",
	.usage = "Usage: nslab graph FILE|LAB [--format dot|mermaid|json]\n",
	.direct = do_graph,
};
const struct cli_object cli_obj_test = {
	.name = "test",
	.usage = "Usage: nslab test FILE|LAB\n"
		 "Check the file's expect list from inside the nodes: ICMP echo, or a TCP connect (tcp:),\n"
		 "retried up to within: seconds.\n",
	.direct = do_test,
};
const struct cli_object cli_obj_convert = {
	.name = "convert",
	.usage = "Usage: nslab convert FILE [--any-kind] [--strict]\n"
		 "Print the native topology file of containerlab file FILE. --any-kind wires nodes of\n"
		 "other kinds as plain netns nodes; --strict makes the warnings about keys ignored errors.\n"
		 "up, down, plan, status, graph and test take containerlab files, and these options, too.\n",
	.direct = do_convert,
};
const struct cli_object cli_obj_exec = {
	.name = "exec",
	.usage = "Usage: nslab exec LAB NODE [-- CMD...]\n"
		 "Run CMD (default: your shell) in a node: its namespaces, files, env and /etc/netns files.\n",
	.direct = do_exec,
};
