// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Topology keys of nodes that run software (DESIGN §5.2): groups, loopback, binds, tmpfs,
 * files, env, rootfs, namespaces, run, ready, stop_timeout, expect tcp/within, and ${node} /
 * ${lab}. The loader alone: no kernel, no privilege. Bind sources live in a temporary directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "nslab/topo.h"
#include "../../topo/model-internal.h"
#include "tap.h"

#define ALL_NS (NSL_TOPO_NS_UTS | NSL_TOPO_NS_PID | NSL_TOPO_NS_IPC | NSL_TOPO_NS_MOUNT)

static char dir[64]; /* the lab files' directory, with frr/r1, frr/r2, conf.txt, root/ */

static int load_at(const char *name, const char *text, struct nsl_topo **t, struct nsl_err *err)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		return -EIO;
	memset(err, 0, sizeof(*err));
	return nsl_topo_load(path, NULL, 0, t, err);
}

static int load(const char *text, struct nsl_topo **t, struct nsl_err *err)
{
	return load_at("lab.yaml", text, t, err);
}

static void bad(const char *text, unsigned line, unsigned col, const char *msg)
{
	struct nsl_topo *t = NULL;
	struct nsl_err err;
	int r = load(text, &t, &err);

	ok(r == -EINVAL && err.kind == NSL_E_USAGE && err.line == line && err.column == col &&
		   strstr(err.msg, msg) != NULL,
	   "bad %u:%u '%s' (got %d %u:%u '%s')", line, col, msg, r, err.line, err.column, err.msg);
	nsl_topo_free(t);
}

static const struct nsl_topo_node *node(const struct nsl_topo *t, const char *name)
{
	for (size_t i = 0; i < t->n_nodes; i++)
		if (!strcmp(t->nodes[i].name, name))
			return &t->nodes[i];
	return NULL;
}

static const struct nsl_topo_proc *proc(const struct nsl_topo_node *n, const char *name)
{
	for (size_t i = 0; n && i < n->n_procs; i++)
		if (!strcmp(n->procs[i].name, name))
			return &n->procs[i];
	return NULL;
}

/* @v (NULL-terminated) is exactly the @n strings after it. */
static bool strv_is(char *const *v, int n, ...)
{
	va_list ap;
	bool same = v != NULL;

	va_start(ap, n);
	for (int i = 0; same && i < n; i++)
		same = v[i] && !strcmp(v[i], va_arg(ap, const char *));
	va_end(ap);
	return same && !v[n];
}

static void mkfile(const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void mkdirs(void)
{
	static const char *const d[] = { "frr", "frr/r1", "frr/r2", "root" };
	char path[PATH_MAX];

	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, d[i]);
		mkdir(path, 0755);
	}
	mkfile("conf.txt", "x\n");
}

static void rmdirs(void)
{
	static const char *const f[] = { "conf.txt", "lab.yaml", "sub/lab.yaml", "big.yaml" };
	static const char *const d[] = { "frr/r1", "frr/r2", "frr", "root", "sub" };
	char path[PATH_MAX];

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, f[i]);
		unlink(path);
	}
	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, d[i]);
		rmdir(path);
	}
	rmdir(dir);
}

static const char issue_lab[] =
	"name: ospf\n"
	"stop_timeout: 7\n"
	"groups:\n"
	"  routers:\n"
	"    sysctls: { net.ipv4.ip_forward: 1 }\n"
	"    interfaces: { eth0: { bridge: lan, mtu: 1400 } }\n"
	"    binds: [ \"frr/${node}:/etc/frr\", \"conf.txt:/etc/conf.txt:ro\" ]\n"
	"    tmpfs: [ { path: /var/run/frr, owner: \"0:0\", mode: \"0750\" }, /var/log/frr ]\n"
	"    env: { ROLE: router, WHO: \"${node}@${lab}\" }\n"
	"    run:\n"
	"      - { name: frr, command: [/usr/lib/frr/frrinit.sh, start] }\n"
	"    ready: { exec: \"vtysh -c 'show ip ospf neighbor' | grep -q Full # ${node}\", timeout: 30, interval: 0.25 }\n"
	"nodes:\n"
	"  r1:\n"
	"    group: routers\n"
	"    loopback: [ 10.255.0.1/32, \"fd00:255::1\" ]\n"
	"    interfaces: { eth0: { address: 10.0.0.1/24 } }\n"
	"    env: { ROLE: core }\n"
	"  r2:\n"
	"    group: routers\n"
	"    interfaces: { eth0: { address: 10.0.0.2/24 } }\n"
	"    binds: [ \"frr/r2:/etc/frr:rw\" ]\n"
	"    stop_timeout: 0\n"
	"    namespaces: [mount, pid]\n"
	"  web:\n"
	"    interfaces: { eth0: { bridge: lan, address: 10.0.0.3/24 } }\n"
	"    env: { PORT: 8080, HOME: /root }\n"
	"    files:\n"
	"      /srv/index.html: \"hello from ${node}\\n\"\n"
	"      \"/srv//${lab}/./x.sh\": { content: \"echo $${HOME} $HOME ${lab}\", mode: 0700, owner: \"0\" }\n"
	"    run: { name: http, command: \"python3 -m http.server $PORT\", restart: on-failure, user: \"0:0\",\n"
	"           env: { PORT: 9090, EXTRA: \"${node}\" }, wd: \"/srv/${node}\" }\n"
	"    exec: [ \"echo ${node} >/tmp/x; echo $${x}\" ]\n"
	"  multi:\n"
	"    interfaces: { eth0: { bridge: lan, address: 10.0.0.4/24 } }\n"
	"    rootfs: root\n"
	"    run:\n"
	"      - { command: [sleep, infinity] }\n"
	"      - { command: \"  sleep 1; exit\", restart: always }\n"
	"      - { command: [/bin/sleep, \"2\"] }\n"
	"      - { name: sleep-2, command: [\"true\"] }\n"
	"      - { command: \"exec foo\" }\n"
	"      - { command: [\"/usr/bin/a b=c\"] }\n"
	"  plain:\n"
	"    interfaces: { eth0: { bridge: lan, address: 10.0.0.5/24 } }\n"
	"    exec: [ \"true\" ]\n"
	"  old:\n"
	"    interfaces: { eth0: { bridge: lan, address: 10.0.0.6/24 } }\n"
	"    run: { command: [sleep, infinity], namespaces: [uts, ipc] }\n"
	"bridges: { lan: {} }\n"
	"expect:\n"
	"  - { from: web, to: r1, within: 60 }\n"
	"  - { from: r1, to: web, tcp: 8080 }\n"
	"  - { from: r1, to: web }\n";

static void routers(const struct nsl_topo *t)
{
	const struct nsl_topo_node *r1 = node(t, "r1"), *r2 = node(t, "r2");
	char path[PATH_MAX];

	ok(r1 && r2 && r1->group && !strcmp(r1->group, "routers"), "n->group");
	if (!r1 || !r2)
		return;
	ok(r1->n_sysctls == 1 && !strcmp(r1->sysctls[0].key, "net.ipv4.ip_forward"), "group: sysctls inherited");
	ok(r1->n_ifaces == 1 && r1->ifaces[0].mtu == 1400 && r1->ifaces[0].bridge && r1->ifaces[0].n_addrs == 1,
	   "group: maps merge (interface keys of the group and of the node)");
	ok(r1->n_env == 2 && !strcmp(r1->env[0], "ROLE=core") && !strcmp(r1->env[1], "WHO=r1@ospf") && !r1->env[2],
	   "group: the node's env key wins, the group's other key stays, ${node} is the node's (%s %s)",
	   r1->n_env ? r1->env[0] : "", r1->n_env > 1 ? r1->env[1] : "");
	snprintf(path, sizeof(path), "%s/frr/r1", dir);
	ok(r1->n_mounts == 4 && !strcmp(r1->mounts[0].src, path) && !strcmp(r1->mounts[0].target, "/etc/frr") &&
		   !r1->mounts[0].ro && r1->mounts[1].ro && !strcmp(r1->mounts[1].target, "/etc/conf.txt"),
	   "binds: relative to the file's directory, ${node} expanded, :ro (%s)", r1->n_mounts ? r1->mounts[0].src : "");
	ok(r1->n_mounts == 4 && !r1->mounts[2].src && !strcmp(r1->mounts[2].target, "/var/run/frr") &&
		   r1->mounts[2].mode == 0750 && r1->mounts[2].has_owner && r1->mounts[2].uid == 0 &&
		   !r1->mounts[3].src && r1->mounts[3].mode == 0755 && !r1->mounts[3].has_owner,
	   "tmpfs: after the binds, owner and mode, default 0755");
	snprintf(path, sizeof(path), "%s/frr/r2", dir);
	ok(r2->n_mounts == 3 && !strcmp(r2->mounts[0].src, path) && !r2->mounts[0].ro && !r2->mounts[1].src,
	   "group: a list of the node replaces the group's (r2 has one bind)");
	ok(r1->n_procs == 1 && !strcmp(r1->procs[0].name, "frr") && r1->run == r1->procs[0].argv &&
		   strv_is(r1->procs[0].env, 2, "ROLE=core", "WHO=r1@ospf"),
	   "run from the group; n->run is procs[0].argv; the process gets the node's env");
	ok(r1->ready && !strcmp(r1->ready, "vtysh -c 'show ip ospf neighbor' | grep -q Full # r1") &&
		   r1->ready_timeout_ms == 30000 && r1->ready_interval_ms == 250,
	   "ready: exec expanded, timeout and interval in ms");
	ok(r1->n_loopback == 2 && r1->loopback[0].len == 32 && r1->loopback[1].family == AF_INET6 &&
		   r1->loopback[1].len == 128 && r1->has_ipv6,
	   "loopback: a bare address is /128, an IPv6 one makes the node has_ipv6");
	ok(r1->supervised && r1->run_ns == ALL_NS && r1->stop_timeout_ms == 7000, "r1: supervised, 4 namespaces, lab stop_timeout");
	ok(r2->run_ns == (NSL_TOPO_NS_MOUNT | NSL_TOPO_NS_PID) && r2->stop_timeout_ms == 0 && !r2->has_ipv6,
	   "r2: node namespaces, stop_timeout 0 is kept");
}

static void web(const struct nsl_topo *t)
{
	const struct nsl_topo_node *w = node(t, "web");
	const struct nsl_topo_proc *p = proc(w, "http");

	if (!ok(w && p, "web and its http process"))
		return;
	ok(w->n_files == 2 && !strcmp(w->files[0].path, "/srv/index.html") && !strcmp(w->files[0].content, "hello from web\n") &&
		   w->files[0].len == 15 && w->files[0].mode == 0644 && !w->files[0].has_owner,
	   "files: content expanded, default mode 0644");
	ok(w->n_files == 2 && !strcmp(w->files[1].path, "/srv/ospf/x.sh") &&
		   !strcmp(w->files[1].content, "echo ${HOME} $HOME ospf") && w->files[1].mode == 0700 &&
		   w->files[1].has_owner && w->files[1].uid == 0 && w->files[1].gid == 0,
	   "files: path expanded and cleaned, $${ is a literal ${, a shell's $HOME is left (%s | %s)",
	   w->n_files > 1 ? w->files[1].path : "", w->n_files > 1 ? w->files[1].content : "");
	ok(strv_is(p->argv, 3, "/bin/sh", "-c", "python3 -m http.server $PORT") && w->run == w->procs[0].argv,
	   "run: a string command is sh -c");
	ok(strv_is(p->env, 3, "HOME=/root", "PORT=9090", "EXTRA=web"),
	   "proc env: the node's, less what it sets, then its own (one PORT, its own)");
	ok(p->restart == NSL_TOPO_RESTART_ON_FAILURE && p->has_user && p->uid == 0 && p->gid == 0 && p->wd &&
		   !strcmp(p->wd, "/srv/web"),
	   "restart, user, wd expanded");
	ok(w->n_exec == 1 && !strcmp(w->exec[0], "echo web >/tmp/x; echo ${x}"), "exec expanded (%s)",
	   w->n_exec ? w->exec[0] : "");
	ok(w->supervised && w->run_ns == ALL_NS && w->stop_timeout_ms == 7000, "web: supervised, defaults");
}

static void others(const struct nsl_topo *t)
{
	const struct nsl_topo_node *m = node(t, "multi"), *pl = node(t, "plain"), *o = node(t, "old");
	char path[PATH_MAX];

	if (!ok(m && pl && o, "multi, plain, old"))
		return;
	ok(m->n_procs == 6 && !strcmp(m->procs[0].name, "sleep") && !strcmp(m->procs[1].name, "sleep-3") &&
		   !strcmp(m->procs[2].name, "sleep-4") && !strcmp(m->procs[3].name, "sleep-2") &&
		   !strcmp(m->procs[4].name, "run") && !strcmp(m->procs[5].name, "a_b_c"),
	   "default names: the program's base name, -2, -3 past taken ones, 'run' for a reserved one (%s %s %s %s %s %s)",
	   m->n_procs > 0 ? m->procs[0].name : "", m->n_procs > 1 ? m->procs[1].name : "",
	   m->n_procs > 2 ? m->procs[2].name : "", m->n_procs > 3 ? m->procs[3].name : "",
	   m->n_procs > 4 ? m->procs[4].name : "", m->n_procs > 5 ? m->procs[5].name : "");
	ok(m->n_procs == 6 && m->procs[1].restart == NSL_TOPO_RESTART_ALWAYS && m->procs[0].restart == NSL_TOPO_RESTART_NO &&
		   m->procs[0].env && !m->procs[0].env[0] && !m->procs[0].has_user && !m->procs[0].wd,
	   "defaults of a process: restart no, an empty env, no user, no wd");
	snprintf(path, sizeof(path), "%s/root", dir);
	ok(m->rootfs && !strcmp(m->rootfs, path), "rootfs: absolute (%s)", m->rootfs ? m->rootfs : "");
	ok(!pl->supervised && pl->run_ns == 0 && !pl->run && !pl->env && pl->stop_timeout_ms == 7000 &&
		   pl->ready_timeout_ms == 60000 && pl->ready_interval_ms == 500 && !pl->ready,
	   "a node without software: no supervisor, no namespaces, defaults");
	ok(o->supervised && o->run_ns == (NSL_TOPO_NS_UTS | NSL_TOPO_NS_IPC) && o->n_procs == 1 &&
		   strv_is(o->run, 2, "sleep", "infinity"),
	   "the old run: { command, namespaces } form");
	ok(t->n_expects == 3 && t->expects[0].within_ms == 60000 && t->expects[0].tcp == 0 &&
		   t->expects[1].tcp == 8080 && t->expects[1].within_ms == 0 && t->expects[2].tcp == 0,
	   "expect: within and tcp");
	ok(t->stop_timeout_ms == 7000 && t->dir && !strcmp(t->dir, dir), "t->stop_timeout_ms, t->dir (%s)",
	   t->dir ? t->dir : "");
}

static void whole_lab(void)
{
	struct nsl_topo *t = NULL;
	struct nsl_err err;
	int r = load(issue_lab, &t, &err);

	if (!ok(r == 0, "the issue's lab loads (%u:%u %s)", err.line, err.column, err.msg))
		return;
	routers(t);
	web(t);
	others(t);
	nsl_topo_free(t);
}

/* Without a group, without stop_timeout anywhere: the old defaults, and 5 s. */
static void defaults(void)
{
	struct nsl_topo *t = NULL;
	struct nsl_err err;

	ok(load("name: d\nnodes:\n  a: { run: { command: [sleep, infinity] } }\n  b: { tmpfs: /x }\n"
		"  c: { run: [] }\n  d: { files: { /f: \"\" }, run: { command: \"x\" } }\n", &t, &err) == 0,
	   "defaults lab (%s)", err.msg);
	if (!t)
		return;
	ok(t->stop_timeout_ms == 0 && t->nodes[0].stop_timeout_ms == 5000 && t->nodes[0].run_ns == ALL_NS &&
		   !strcmp(t->nodes[0].procs[0].name, "sleep") && !t->nodes[0].group,
	   "stop_timeout 5 s, all four namespaces, default name");
	ok(t->nodes[1].supervised && t->nodes[1].n_mounts == 1 && t->nodes[1].n_procs == 0 && t->nodes[1].run_ns == ALL_NS &&
		   !t->nodes[1].run,
	   "a tmpfs alone: supervised, no process");
	ok(!t->nodes[2].supervised && t->nodes[2].n_procs == 0 && t->nodes[2].run_ns == 0, "run: [] is no process");
	ok(t->nodes[3].n_files == 1 && t->nodes[3].files[0].len == 0 && !strcmp(t->nodes[3].files[0].content, "") &&
		   !strcmp(t->nodes[3].procs[0].name, "x"),
	   "an empty file; a one-word string command is named after it");
	nsl_topo_free(t);
}

/* Owners: names and numbers, and a uid that has no passwd entry keeps its own number as gid. */
static void owners(void)
{
	struct nsl_topo *t = NULL;
	struct nsl_err err;
	struct passwd *pw = getpwnam("nobody");

	ok(load("name: o\nnodes:\n  a:\n    tmpfs: [ { path: /a, owner: root }, { path: /b, owner: \"1234:5678\" },\n"
		"             { path: /c, owner: \"4000000000\" }, { path: /d, owner: \"root:0\" } ]\n", &t, &err) == 0,
	   "owners lab (%s)", err.msg);
	if (t) {
		const struct nsl_topo_mount *m = t->nodes[0].mounts;

		ok(m[0].uid == 0 && m[0].gid == 0 && m[1].uid == 1234 && m[1].gid == 5678 && m[2].uid == 4000000000u &&
			   m[2].gid == 4000000000u && m[3].uid == 0 && m[3].gid == 0,
		   "uid:gid, a user's primary group, a bare uid (%u:%u %u:%u %u:%u)", m[0].uid, m[0].gid, m[1].uid,
		   m[1].gid, m[2].uid, m[2].gid);
	}
	nsl_topo_free(t);
	t = NULL;
	if (!pw) {
		skip("no user 'nobody' here");
		return;
	}
	ok(load("name: o\nnodes:\n  a: { run: [ { command: [x], user: nobody }, { command: [y], user: nobody } ] }\n", &t,
		&err) == 0 && t->nodes[0].procs[0].uid == pw->pw_uid && t->nodes[0].procs[1].gid == pw->pw_gid,
	   "user: a name (looked up once, given twice)");
	nsl_topo_free(t);
}

/* Relative sources: the file's directory; text without a file: the current directory. */
static void relative(void)
{
	struct nsl_topo *t = NULL;
	struct nsl_err err = { 0 };
	char cwd[PATH_MAX], sub[PATH_MAX], want[PATH_MAX];
	static const char text[] = "name: r\nnodes:\n  a: { binds: [ \"conf.txt:/c\" ], rootfs: . }\n";
	struct nsli_load_opts o = { .dir = "/nonexistent", .no_fs_checks = true };

	snprintf(sub, sizeof(sub), "%s/sub", dir);
	mkdir(sub, 0755);
	ok(load_at("sub/lab.yaml", text, &t, &err) == -EINVAL && strstr(err.msg, "bind 'conf.txt': no such file or directory"),
	   "a source is looked for beside the file, not in the current directory ('%s')", err.msg);
	nsl_topo_free(t);
	t = NULL;
	if (!getcwd(cwd, sizeof(cwd)) || chdir(dir) < 0) {
		ok(0, "chdir");
		return;
	}
	memset(&err, 0, sizeof(err));
	snprintf(want, sizeof(want), "%s/conf.txt", dir);
	ok(nsl_topo_load(NULL, text, strlen(text), &t, &err) == 0 && !strcmp(t->nodes[0].mounts[0].src, want) &&
		   !strcmp(t->nodes[0].rootfs, dir) && !strcmp(t->dir, dir),
	   "text without a file: the current directory (%s)", err.msg);
	nsl_topo_free(t);
	t = NULL;
	if (chdir(cwd) < 0)
		ok(0, "chdir back");
	ok(nsli_topo_load_opts("lab", text, strlen(text), &o, &t, &err) == 0 &&
		   !strcmp(t->nodes[0].mounts[0].src, "/nonexistent/conf.txt") && !strcmp(t->nodes[0].rootfs, "/nonexistent"),
	   "a recorded model: the directory given, sources not looked at (%s)", err.msg);
	nsl_topo_free(t);
}

static void errors(void)
{
	bad("name: x\nnodes:\n  a: { binds: [ \"nope/${node}:/etc/x\" ] }\n", 3, 17, "bind 'nope/a': no such file or directory");
	bad("name: x\nnodes:\n  a: { binds: [ \"conf.txt\" ] }\n", 3, 17, "expected SRC:DST");
	bad("name: x\nnodes:\n  a: { binds: [ \"conf.txt:/x/./../y\" ] }\n", 3, 17, "'..' is not allowed");
	bad("name: x\nnodes:\n  a: { binds: [ \"conf.txt:/x\\ny\" ] }\n", 3, 17, "control character");
	bad("name: x\nnodes:\n  a: { tmpfs: [ { path: /x, mode: 10000 } ] }\n", 3, 35, "mode '10000'");
	bad("name: x\nnodes:\n  a: { tmpfs: [ { path: /x, owner: \"root:\" } ] }\n", 3, 36, "expected USER[:GROUP]");
	bad("name: x\nnodes:\n  a: { tmpfs: [ { path: /x, owner: \"4294967295\" } ] }\n", 3, 36, "not a valid uid");
	bad("name: x\nnodes:\n  a: { tmpfs: [ { path: /x, size: 1 } ] }\n", 3, 29, "unknown key 'size' in tmpfs");
	bad("name: x\nnodes:\n  a: { files: { /x: } }\n", 3, 21, "files: expected a mapping, got null");
	bad("name: x\nnodes:\n  a: { files: { /x: { content: y, mode: rw } } }\n", 3, 41, "mode 'rw'");
	bad("name: x\nnodes:\n  a: { files: { \"/${nope}\": y } }\n", 3, 17, "'${nope}': unknown variable (want ${node} or ${lab})");
	bad("name: x\nnodes:\n  a: { files: { /x: \"${node\" } }\n", 3, 21, "'${' without its '}'");
	bad("name: x\nnodes:\n  a: { env: { A: [1] } }\n", 3, 18, "env 'A': expected a value, got a list");
	bad("name: x\nnodes:\n  a: { env: { A: \"${x}\" } }\n", 3, 18, "'${x}': unknown variable");
	bad("name: x\nnodes:\n  a: { rootfs: conf.txt }\n", 3, 16, "rootfs 'conf.txt': not a directory");
	bad("name: x\nnodes:\n  a: { run: { command: [] } }\n", 3, 24, "command: empty");
	bad("name: x\nnodes:\n  a: { run: { command: [x], name: \"a/b\" } }\n", 3, 35, "name 'a/b': want 1 to 64");
	bad("name: x\nnodes:\n  a: { run: [ { command: [x], name: x }, { command: [/bin/x] }, { command: [y], name: x } ] }\n",
	    3, 87, "name 'x': node 'a' has a process of that name already");
	bad("name: x\nnodes:\n  a: { run: { command: [x], wd: \"${node}\" } }\n", 3, 33, "wd 'a': not an absolute path");
	bad("name: x\nnodes:\n  a: { run: { command: [x], env: { A: \"${y}\" } } }\n", 3, 39, "'${y}': unknown variable");
	bad("name: x\nnodes:\n  a: { run: { command: [\"${y}\"] } }\n", 3, 25, "'${y}': unknown variable");
	bad("name: x\nnodes:\n  a: { run: { command: [x], restart: \"yes\" } }\n", 3, 38, "restart 'yes': want no, on-failure or always");
	bad("name: x\nnodes:\n  a: { run: { command: [x], user: \"nslab-nobody-here\" } }\n", 3, 35, "user 'nslab-nobody-here': no such user");
	bad("name: x\nnodes:\n  a: { ready: { exec: \"${z}\" } }\n", 3, 23, "'${z}': unknown variable");
	bad("name: x\nnodes:\n  a: { ready: { exec: x, timeout: 3601 } }\n", 3, 35, "timeout out of range (1-3600)");
	bad("name: x\nnodes:\n  a: { ready: { exec: x, interval: 0.1234 } }\n", 3, 36, "interval '0.1234'");
	bad("name: x\nnodes:\n  a: { ready: { exec: x, interval: \"1\" } }\n", 3, 36, "interval: expected a number, got a quoted string");
	bad("name: x\nnodes:\n  a: { ready: {} }\n", 3, 15, "ready: exec is required");
	bad("name: x\nnodes:\n  a: { loopback: \"fd00::1/129\" }\n", 3, 18, "loopback address 'fd00::1/129'");
	bad("name: x\nnodes:\n  a: { loopback: [\"::1\"] }\n", 3, 19, "lo has it already");
	bad("name: x\nnodes:\n  a: { namespaces: [net] }\n", 3, 21, "namespace 'net': expected uts, pid, ipc or mount");
	bad("name: x\nnodes:\n  a: { stop_timeout: 3601 }\n", 3, 22, "stop_timeout out of range (0-3600)");
	bad("name: x\nnodes:\n  a: {}\nexpect: [ { from: a, to: 10.0.0.1, tcp: \"80\" } ]\n", 4, 41, "tcp: expected a number, got a quoted string");
	/* groups */
	bad("name: x\ngroups: { g: { run: { command: [x], restart: nope } } }\nnodes:\n  a: { group: g }\n", 2, 46,
	    "restart 'nope'");
	bad("name: x\ngroups: { g: [] }\nnodes:\n  a: { group: g }\n", 2, 14, "group: expected a mapping, got a list");
	bad("name: x\ngroups: { g: {} }\nnodes:\n  a: { group: [g] }\n", 4, 15, "group: expected a value, got a list");
	bad("name: x\ngroups: { g: {} }\nnodes:\n  a: { group: h }\n", 4, 15, "no group 'h'");
	bad("name: x\nnodes:\n  a: { group: h }\n", 3, 15, "no group 'h'");
	bad("name: x\ngroups: { \"-g\": {} }\nnodes:\n  a: {}\n", 2, 11, "group name '-g'");
	bad("name: x\ngroups: { g: { files: { /x: \"${nodes}\" } } }\nnodes:\n  a: { group: g }\n", 2, 29,
	    "'${nodes}': unknown variable");
}

/* Maps merge at every depth, a null in the node clears what the group gave, the group may be empty. */
static void merge(void)
{
	struct nsl_topo *t = NULL;
	struct nsl_err err;

	ok(load("name: m\n"
		"groups:\n"
		"  g: { env: { A: \"1\", B: \"2\" }, dns: { nameservers: [10.0.0.53], search: [a.test] }, exec: [one, two] }\n"
		"  empty:\n"
		"nodes:\n"
		"  a: { group: g, dns: { search: [b.test] }, exec: [three] }\n"
		"  b: { group: g, env: }\n"
		"  c: { group: empty, env: { C: \"3\" } }\n",
		&t, &err) == 0,
	   "merge lab (%s)", err.msg);
	if (!t)
		return;
	ok(t->nodes[0].dns && t->nodes[0].dns->n_nameservers == 1 && t->nodes[0].dns->n_search == 1 &&
		   !strcmp(t->nodes[0].dns->search[0], "b.test"),
	   "dns: the mapping merged, its search list replaced");
	ok(t->nodes[0].n_exec == 1 && !strcmp(t->nodes[0].exec[0], "three") && t->nodes[0].n_env == 2, "exec: a list replaced");
	ok(t->nodes[1].n_env == 0 && !t->nodes[1].env && t->nodes[1].n_exec == 2, "env: null in the node clears the group's");
	ok(t->nodes[2].n_env == 1 && !strcmp(t->nodes[2].group, "empty"), "an empty group");
	nsl_topo_free(t);
}

/* 20,000 nodes of one group, each with processes, files and a tmpfs owned by a user: linear. */
static void scale(void)
{
	size_t len = 0;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, &len);
	struct nsl_topo *t = NULL;
	struct nsl_err err = { 0 };
	struct timespec a, b;
	int r;

	fputs("name: big\ngroups:\n  g:\n    tmpfs: [ { path: /run/x, owner: \"root:root\" } ]\n"
	      "    files: { /etc/motd: \"${node} of ${lab}\\n\" }\n    env: { A: \"1\" }\n"
	      "    run: [ { command: [sleep, infinity] }, { command: [sleep, infinity] } ]\nnodes:\n", f);
	for (int i = 0; i < 20000; i++)
		fprintf(f, "  n%d: { group: g, loopback: 10.%d.%d.1 }\n", i, i / 256, i % 256);
	fclose(f);
	clock_gettime(CLOCK_MONOTONIC, &a);
	r = nsl_topo_load("big.yaml", buf, len, &t, &err);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ok(r == 0 && t->n_nodes == 20000 && !strcmp(t->nodes[19999].procs[1].name, "sleep-2") &&
		   !strcmp(t->nodes[19999].files[0].content, "n19999 of big\n"),
	   "20,000 grouped nodes load in %.2f s (%s)", (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9,
	   err.msg);
	nsl_topo_free(t);
	free(buf);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/nslab-nodesXXXXXX");
	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return tap_done();
	}
	mkdirs();
	whole_lab();
	defaults();
	owners();
	relative();
	errors();
	merge();
	scale();
	rmdirs();
	return tap_done();
}
