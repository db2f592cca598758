// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Model -> objects -> plan -> apply. Every model is flattened into a list of objects, each
 * with a key ("addr h1:eth0 10.0.1.11/24") and a signature of its content, parents before
 * children. `up` compares the new list with the one of the last complete `up` (its file is
 * kept in the state dir) and with the kernel, removes what went away, and adds what is new
 * or changed, journaling each created object before the kernel change.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#include "journal.h"
#include "run.h"
#include "core.h"
#include "macro.h"
#include "nslab/nslab.h"
#include "nslab/launch.h"
#include "topo-internal.h"
#include "qdisc.h"
#include "../netns/netconf-internal.h"

enum okind {
	O_NETNS,
	O_SYSCTL,
	O_BRIDGE,
	O_BRADDR,
	O_PORT,
	O_P2P,
	O_ADDR,
	O_RATE,
	O_ROUTE,
	O_DNS,
	O_HOSTS,
	O_RUN,
	O_EXEC,
};

enum ostate { S_SAME, S_ADD, S_CHANGE, S_REMOVE };

struct obj {
	enum okind kind;
	char key[320];
	uint32_t sig;
	int node, iface, bridge, link, idx;
	int parent, parent2; /* indexes in the same list, -1 */
	enum ostate state;
	bool implied;	     /* its removal comes with its parent's */
	bool missing;	     /* drifted: gone from the kernel */
	bool refresh;	     /* applied again, silently: a route whose device changed */
};

struct objs {
	const struct nsl_topo *t;
	struct obj *v;
	size_t n, cap;
	size_t *sorted; /* indexes sorted by key */
};

static void objs_free(struct objs *o)
{
	free(o->v);
	free(o->sorted);
	memset(o, 0, sizeof(*o));
}

static uint32_t sigf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static uint32_t sigf(const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return topo_hash(buf);
}

static struct obj *push(struct objs *o, enum okind kind, int parent, int parent2)
{
	struct obj *x;

	if (!GREEDY_REALLOC(o->v, o->cap, o->n + 1))
		return NULL;
	x = &o->v[o->n++];
	memset(x, 0, sizeof(*x));
	x->kind = kind;
	x->parent = parent;
	x->parent2 = parent2;
	x->node = x->iface = x->bridge = x->link = x->idx = -1;
	return x;
}

static const char *pstr(const struct nsl_prefix *p, char *buf)
{
	return nsl_prefix_str(p, true, buf, 64);
}

static void dns_text(const struct nsl_topo_dns *d, char *buf, size_t size)
{
	size_t len = 0;
	char a[64];

	buf[0] = '\0';
	if (!d)
		return;
	for (size_t i = 0; i < d->n_nameservers; i++)
		len += (size_t)snprintf(buf + len, size > len ? size - len : 0, "ns %s ",
					nsl_prefix_str(&d->nameservers[i], false, a, sizeof(a)));
	for (size_t i = 0; i < d->n_search; i++)
		len += (size_t)snprintf(buf + len, size > len ? size - len : 0, "s %s ", d->search[i]);
	for (size_t i = 0; i < d->n_options; i++)
		len += (size_t)snprintf(buf + len, size > len ? size - len : 0, "o %s ", d->options[i]);
}

static uint32_t hosts_sig(const struct nsl_topo *t)
{
	uint32_t h = 0;
	char a[64];

	for (size_t i = 0; i < t->n_nodes; i++) {
		h = h * 31 + topo_hash(t->nodes[i].name);
		for (size_t k = 0; k < t->nodes[i].n_ifaces; k++)
			for (size_t j = 0; j < t->nodes[i].ifaces[k].n_addrs; j++)
				h = h * 31 + topo_hash(pstr(&t->nodes[i].ifaces[k].addrs[j], a));
	}
	return h;
}

static int key_cmp_ctx(const void *a, const void *b, void *arg)
{
	const struct objs *o = arg;

	return strcmp(o->v[*(const size_t *)a].key, o->v[*(const size_t *)b].key);
}

struct builder {
	struct objs *o;
	const struct nsl_topo *t;
	int *node_obj, *br_obj, *link_obj; /* index of each node's, bridge's, link's object */
	uint32_t hsig;
};

#define PUSH(kind, p1, p2)                                                                         \
	do {                                                                                       \
		x = push(o, kind, p1, p2);                                                         \
		if (!x)                                                                            \
			return -ENOMEM;                                                            \
	} while (0)
#define BUILDER_LOCALS                                                                             \
	struct objs *o = B->o;                                                                     \
	const struct nsl_topo *t = B->t;                                                           \
	int *node_obj = B->node_obj, *br_obj = B->br_obj, *link_obj = B->link_obj;                 \
	struct obj *x;                                                                             \
	char a[64];                                                                                \
	(void)node_obj, (void)br_obj, (void)link_obj, (void)a

/* The objects of the nodes, each followed by its sysctls. */
static int build_nodes(struct builder *B)
{
	BUILDER_LOCALS;

	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct nsl_topo_node *n = &t->nodes[i];

		node_obj[i] = (int)o->n;
		PUSH(O_NETNS, -1, -1);
		x->node = (int)i;
		snprintf(x->key, sizeof(x->key), "node %s", n->name);
		x->sig = sigf("%s %d", n->netns, n->has_ipv6);
		for (size_t k = 0; k < n->n_sysctls; k++) {
			PUSH(O_SYSCTL, node_obj[i], -1);
			x->node = (int)i;
			x->idx = (int)k;
			snprintf(x->key, sizeof(x->key), "sysctl %s %s=%s", n->name, n->sysctls[k].key,
				 n->sysctls[k].value);
		}
	}
	return 0;
}

/* The objects of the bridges and their addresses. */
static int build_bridges(struct builder *B)
{
	BUILDER_LOCALS;

	for (size_t i = 0; i < t->n_bridges; i++) {
		const struct nsl_topo_bridge *br = &t->bridges[i];

		br_obj[i] = (int)o->n;
		PUSH(O_BRIDGE, br->node_idx >= 0 ? node_obj[br->node_idx] : -1, -1);
		x->bridge = (int)i;
		snprintf(x->key, sizeof(x->key), "bridge %s", br->name);
		x->sig = sigf("%s %s %d %d %u", br->ifname, br->node ? br->node : "", br->stp,
			      br->vlan_filtering, br->mtu);
		for (size_t k = 0; k < br->n_addrs; k++) {
			PUSH(O_BRADDR, br_obj[i], -1);
			x->bridge = (int)i;
			x->idx = (int)k;
			snprintf(x->key, sizeof(x->key), "addr bridge %s %s", br->name, pstr(&br->addrs[k], a));
		}
	}
	return 0;
}

/* The objects of the point-to-point links and their rates. */
static int build_links(struct builder *B)
{
	BUILDER_LOCALS;

	for (size_t i = 0; i < t->n_links; i++) {
		const struct nsl_topo_link *l = &t->links[i];
		const struct nsl_topo_node *na = &t->nodes[l->ep[0].node], *nb = &t->nodes[l->ep[1].node];
		const struct nsl_topo_iface *ia = &na->ifaces[l->ep[0].iface], *ib = &nb->ifaces[l->ep[1].iface];

		link_obj[i] = (int)o->n;
		PUSH(O_P2P, node_obj[l->ep[0].node], node_obj[l->ep[1].node]);
		x->link = (int)i;
		snprintf(x->key, sizeof(x->key), "link %s:%s %s:%s", na->name, ia->name, nb->name, ib->name);
		x->sig = sigf("%s %s %u %u %u %d %02x%02x%02x%02x%02x%02x %d %02x%02x%02x%02x%02x%02x", na->netns,
			      nb->netns, l->mtu, ia->mtu, ib->mtu, ia->has_mac, ia->mac[0], ia->mac[1],
			      ia->mac[2], ia->mac[3], ia->mac[4], ia->mac[5], ib->has_mac, ib->mac[0],
			      ib->mac[1], ib->mac[2], ib->mac[3], ib->mac[4], ib->mac[5]);
		if (l->rate) {
			PUSH(O_RATE, link_obj[i], -1);
			x->link = (int)i;
			snprintf(x->key, sizeof(x->key), "rate %s:%s %s:%s %s", na->name, ia->name, nb->name,
				 ib->name, l->rate_text);
		}
	}
	return 0;
}

/* The objects of the bridge ports, and the addresses of every interface. */
static int build_ifaces(struct builder *B)
{
	BUILDER_LOCALS;

	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct nsl_topo_node *n = &t->nodes[i];

		for (size_t k = 0; k < n->n_ifaces; k++) {
			const struct nsl_topo_iface *ifc = &n->ifaces[k];
			int parent;

			if (ifc->bridge_idx >= 0) {
				const struct nsl_topo_bridge *br = &t->bridges[ifc->bridge_idx];

				parent = (int)o->n;
				PUSH(O_PORT, node_obj[i], br_obj[ifc->bridge_idx]);
				x->node = (int)i;
				x->iface = (int)k;
				snprintf(x->key, sizeof(x->key), "iface %s:%s", n->name, ifc->name);
				x->sig = sigf("%s %s %s %u %d %02x%02x%02x%02x%02x%02x", ifc->host, br->ifname,
					      n->netns, ifc->mtu, ifc->has_mac, ifc->mac[0], ifc->mac[1],
					      ifc->mac[2], ifc->mac[3], ifc->mac[4], ifc->mac[5]);
			} else {
				parent = link_obj[ifc->link_idx];
			}
			for (size_t j = 0; j < ifc->n_addrs; j++) {
				PUSH(O_ADDR, parent, -1);
				x->node = (int)i;
				x->iface = (int)k;
				x->idx = (int)j;
				snprintf(x->key, sizeof(x->key), "addr %s:%s %s", n->name, ifc->name,
					 pstr(&ifc->addrs[j], a));
			}
		}
	}
	return 0;
}

/* The objects of the routes, resolv.conf and hosts of each node. */
static int build_node_files(struct builder *B)
{
	BUILDER_LOCALS;

	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct nsl_topo_node *n = &t->nodes[i];
		char d[1024];

		for (size_t k = 0; k < n->n_routes; k++) {
			PUSH(O_ROUTE, node_obj[i], -1);
			x->node = (int)i;
			x->idx = (int)k;
			snprintf(x->key, sizeof(x->key), "route %s %s", n->name, n->routes[k].text);
		}
		if (n->dns) {
			PUSH(O_DNS, node_obj[i], -1);
			x->node = (int)i;
			snprintf(x->key, sizeof(x->key), "dns %s", n->name);
			dns_text(n->dns, d, sizeof(d));
			x->sig = topo_hash(d);
		}
		PUSH(O_HOSTS, node_obj[i], -1);
		x->node = (int)i;
		snprintf(x->key, sizeof(x->key), "hosts %s", n->name);
		x->sig = B->hsig;
	}
	return 0;
}

/* The objects of the `run` processes and `exec` commands, last. */
static int build_procs(struct builder *B)
{
	BUILDER_LOCALS;

	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct nsl_topo_node *n = &t->nodes[i];
		uint32_t h = 0;

		if (n->run) {
			PUSH(O_RUN, node_obj[i], -1);
			x->node = (int)i;
			snprintf(x->key, sizeof(x->key), "run %s", n->name);
			for (char **s = n->run; *s; s++)
				h = h * 31 + topo_hash(*s);
			x->sig = h ^ n->run_ns;
		}
		if (n->n_exec) {
			PUSH(O_EXEC, n->run ? (int)o->n - 1 : node_obj[i], -1);
			x->node = (int)i;
			snprintf(x->key, sizeof(x->key), "exec %s", n->name);
			for (size_t k = 0; k < n->n_exec; k++)
				h = h * 31 + topo_hash(n->exec[k]);
			x->sig = h;
		}
	}
	return 0;
}

#undef BUILDER_LOCALS
#undef PUSH

/* Flatten @t. Parents always come before their children. */
static int objs_build(const struct nsl_topo *t, struct objs *o)
{
	_cleanup_free_ int *node_obj = calloc(t->n_nodes + 1, sizeof(int));
	_cleanup_free_ int *br_obj = calloc(t->n_bridges + 1, sizeof(int));
	_cleanup_free_ int *link_obj = calloc(t->n_links + 1, sizeof(int));
	struct builder B = { o, t, node_obj, br_obj, link_obj, hosts_sig(t) };
	int (*const parts[])(struct builder *) = {
		build_nodes, build_bridges, build_links, build_ifaces, build_node_files, build_procs,
	};

	memset(o, 0, sizeof(*o));
	o->t = t;
	if (!node_obj || !br_obj || !link_obj)
		return -ENOMEM;
	for (size_t i = 0; i < ELEMENTSOF(parts); i++) {
		int r = parts[i](&B);

		if (r < 0)
			return r;
	}
	o->sorted = malloc((o->n + 1) * sizeof(size_t));
	if (!o->sorted)
		return -ENOMEM;
	for (size_t i = 0; i < o->n; i++)
		o->sorted[i] = i;
	qsort_r(o->sorted, o->n, sizeof(size_t), key_cmp_ctx, o);
	return 0;
}

static int objs_find(const struct objs *o, const char *key)
{
	size_t lo = 0, hi = o->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(o->v[o->sorted[mid]].key, key);

		if (c == 0)
			return (int)o->sorted[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* ---- the run: context of one up/down (run.h) ---- */

/* Tests: NSLAB_TEST_CRASH_AFTER=k dies by SIGKILL right after the k-th kernel change. */
static void changed(struct run *R)
{
	R->changes++;
	if (R->crash_after > 0 && R->changes == R->crash_after)
		kill(getpid(), SIGKILL);
}

void run_step(struct run *R, const char *op, const char *what)
{
	char buf[400];

	R->k++;
	if (R->k > R->n)
		R->n = R->k; /* more than counted: never show k above n */
	if (!R->progress)
		return;
	snprintf(buf, sizeof(buf), "%s %s", op, what);
	R->progress(R->pdata, R->k, R->n, buf);
}

int run_jadd(struct run *R, const char *fmt, ...)
{
	char line[400];
	va_list ap;

	if (R->j.fd < 0)
		return 0;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	return journal_add(&R->j, line, NULL);
}

void run_note(struct run *R, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!R->note)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	R->note(R->ndata, line);
}

/* Append "-RECORD" for every live record of the journal that starts with @prefix. */
static int journal_forget(struct run *R, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int journal_forget(struct run *R, const char *fmt, ...)
{
	struct jstate js;
	char prefix[300];
	va_list ap;
	size_t len;
	int r;

	if (R->j.fd < 0)
		return 0;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	len = strlen(prefix);
	r = journal_read(R->dirfd, R->lab, &js);
	for (size_t i = 0; r == 0 && i < js.n; i++)
		if (!strncmp(js.v[i].line, prefix, len))
			r = run_jadd(R, "-%s", js.v[i].line);
	jstate_free(&js);
	return r;
}

static int fail_obj(struct nsl_err *err, const struct obj *x, int r)
{
	char msg[sizeof(err->msg)];

	if (!err)
		return r;
	if (err->kind == NSL_E_NONE)
		nsl_err_set(err, NSL_E_SYSTEM, r, NULL, NULL);
	memcpy(msg, err->msg, sizeof(msg));
	snprintf(err->msg, sizeof(err->msg), "%.120s: %.130s", x->key, msg);
	snprintf(err->object, sizeof(err->object), "%s", "");
	if (err->kind == NSL_E_USAGE)
		err->kind = NSL_E_SYSTEM;
	return r;
}

/* The lab's hosts lines (each node's first address, IPv4 first), rendered once per run. */
static int hosts_prepare(struct run *R, const struct nsl_topo *t, struct nsl_err *err)
{
	_cleanup_free_ struct nsl_host_entry *e = NULL;
	_cleanup_free_ const char **names = NULL;
	size_t n = 0;

	if (R->hosts)
		return 0;
	e = calloc(t->n_nodes + 1, sizeof(*e));
	names = calloc(t->n_nodes + 1, sizeof(char *));
	if (!e || !names)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct nsl_prefix *first = NULL;

		for (int fam = 0; fam < 2 && !first; fam++)
			for (size_t k = 0; k < t->nodes[i].n_ifaces && !first; k++)
				for (size_t j = 0; j < t->nodes[i].ifaces[k].n_addrs && !first; j++)
					if (t->nodes[i].ifaces[k].addrs[j].family == (fam ? AF_INET6 : AF_INET))
						first = &t->nodes[i].ifaces[k].addrs[j];
		if (!first)
			continue;
		names[n] = t->nodes[i].name;
		e[n].addr = *first;
		e[n].names = &names[n];
		e[n].n_names = 1;
		n++;
	}
	return nsl_hosts_prepare(e, n, &R->hosts, err);
}

/* Each file is journaled with the hash of what is written, before it is written: down
 * removes it only while it still is that. */
static int hosts_write(struct run *R, const struct nsl_topo *t, const char *netns, struct nsl_err *err)
{
	uint64_t h;
	int r = hosts_prepare(R, t, err);

	if (r == 0 && (r = nsl_hosts_prepared_hash(netns, R->hosts, &h)) < 0)
		nsl_err_set(err, NSL_E_SYSTEM, r, netns, NULL);
	if (r == 0)
		r = run_jadd(R, "file %s hosts %016llx", netns, (unsigned long long)h);
	return r < 0 ? r : nsl_hosts_set_prepared(R->ctx, netns, R->hosts, err);
}

static void dns_of(const struct nsl_topo_node *n, struct nsl_dns *d)
{
	*d = (struct nsl_dns){
		.nameservers = n->dns->nameservers,
		.n_nameservers = n->dns->n_nameservers,
		.search = (const char *const *)n->dns->search,
		.n_search = n->dns->n_search,
		.options = (const char *const *)n->dns->options,
		.n_options = n->dns->n_options,
	};
}

static int dns_write(struct run *R, const struct nsl_topo_node *n, struct nsl_err *err)
{
	struct nsl_dns d;
	uint64_t h;
	int r;

	dns_of(n, &d);
	r = nsl_dns_hash(n->netns, &d, &h, err);
	if (r == 0)
		r = run_jadd(R, "file %s resolv.conf %016llx", n->netns, (unsigned long long)h);
	return r < 0 ? r : nsl_dns_set(R->ctx, n->netns, &d, err);
}

/* STATE_DIR/LAB/logs/NODE/@name, opened for appending (made when missing). */
static int open_log(struct run *R, const char *node, const char *name, char *path, size_t size)
{
	_cleanup_close_ int logs = -1, dir = -1;
	int fd;

	snprintf(path, size, "%s/%s/logs/%s/%s", nsl_ctx_get_dir(R->ctx, NSL_DIR_STATE), R->lab, node, name);
	if (mkdirat(R->dirfd, "logs", 0700) < 0 && errno != EEXIST)
		return negerrno();
	logs = openat(R->dirfd, "logs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (logs < 0 || (mkdirat(logs, node, 0700) < 0 && errno != EEXIST))
		return negerrno();
	dir = openat(logs, node, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir < 0)
		return negerrno();
	fd = openat(dir, name, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	return fd < 0 ? negerrno() : fd;
}

static int run_start(struct run *R, const struct nsl_topo *t, const struct nsl_topo_node *n,
		     struct nsl_err *err)
{
	struct nsl_launch l;
	struct nsl_launch_proc p = { 0 };
	unsigned long long st = 0;
	_cleanup_close_ int log = -1;
	char path[PATH_MAX];
	dev_t dev;
	ino_t ino;
	int r;

	nsl_launch_init(&l, n->run);
	l.netns = n->netns;
	l.new_ns = 0;
	if (n->run_ns & NSL_TOPO_NS_UTS)
		l.new_ns |= NSL_NS_UTS;
	if (n->run_ns & NSL_TOPO_NS_PID)
		l.new_ns |= NSL_NS_PID;
	if (n->run_ns & NSL_TOPO_NS_IPC)
		l.new_ns |= NSL_NS_IPC;
	if (n->run_ns & NSL_TOPO_NS_MOUNT)
		l.new_ns |= NSL_NS_MNT;
	if (l.new_ns & NSL_NS_UTS)
		l.hostname = n->name;
	/* A command that is PID 1 ignores SIGTERM unless it handles it: a small init forwards
	 * it, so `down` stops the process at once instead of waiting for SIGKILL. */
	if (l.new_ns & NSL_NS_PID) {
		l.mount_proc = (l.new_ns & NSL_NS_MNT) != 0;
		l.init = true;
	}
	l.detach = true;
	/* Intent first: should we die between the start and the pid line, down still finds
	 * the process through the netns it runs in. */
	r = run_jadd(R, "run %s %s", n->name, n->netns);
	if (r < 0)
		return r;
	/* Its output goes to the node's log, never to whoever reads nslab's. */
	log = open_log(R, n->name, "run.log", path, sizeof(path));
	if (log < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, log, n->name, "node '%s': log %s: %s", n->name, path,
				   strerror(-log));
	l.output_fd = log;
	r = nsl_launch_run(R->ctx, &l, &p, err);
	if (r < 0)
		return r;
	if (nsl_launch_starttime(p.pid, &st, NULL) < 0)
		st = 0;
	if (nsl_netns_inode(R->ctx, n->netns, &dev, &ino, NULL) < 0)
		ino = 0;
	(void)t;
	return run_jadd(R, "pid %s %d %llu %llu", n->name, (int)p.pid, st, (unsigned long long)ino);
}

/* The node's exec commands, in order, each through `sh -c`; their output goes to the node's
 * log, never to nslab's own stdout or stderr (a command that leaves a background process
 * would otherwise hold a caller's pipe open for as long as that process lives). */
static int exec_cmds(struct run *R, const struct nsl_topo_node *n, const struct nsl_proc_ref *ref,
		     struct nsl_err *err)
{
	char path[PATH_MAX];
	_cleanup_close_ int log = open_log(R, n->name, "exec.log", path, sizeof(path));

	if (log < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, log, n->name, "node '%s': log %s: %s", n->name, path,
				   strerror(-log));
	for (size_t i = 0; i < n->n_exec; i++) {
		char *argv[] = { (char *)"/bin/sh", (char *)"-c", n->exec[i], NULL };
		int status = 0, r;

		dprintf(log, "+ %s\n", n->exec[i]);
		r = ref ? nsl_launch_enter_ref(R->ctx, ref, NSL_NS_ALL, argv, log, &status, err)
			: nsl_launch_netns_exec_fd(R->ctx, n->netns, argv, log, &status, err);
		if (r < 0)
			return r;
		if (status != 0)
			return nsl_err_set(err, NSL_E_SYSTEM, -ECANCELED, n->name,
					   "node '%s': exec '%s' exited %d (output in %s)", n->name, n->exec[i],
					   status, path);
	}
	return 0;
}

/* The recorded `run` process of @node, when it still is the process started (its start time)
 * and not a zombie: -ESRCH otherwise, so that a recycled PID is never entered nor signalled. */
static int find_proc(struct run *R, const char *node, struct nsl_proc_ref *ret)
{
	struct jstate js;
	bool found = false;
	int r = journal_read(R->dirfd, R->lab, &js);

	for (size_t i = 0; r == 0 && i < js.n; i++) {
		char nm[128];
		int pid;
		unsigned long long st, ino;

		if (sscanf(js.v[i].line, "pid %127s %d %llu %llu", nm, &pid, &st, &ino) == 4 && STREQ(nm, node)) {
			*ret = (struct nsl_proc_ref){ .pid = pid, .starttime = st };
			found = st != 0;
		}
	}
	jstate_free(&js);
	if (r < 0)
		return r;
	return found && nsl_launch_alive(ret) == 1 ? 0 : -ESRCH;
}

static const char *br_netns(const struct nsl_topo *t, const struct nsl_topo_bridge *br)
{
	return br->node_idx >= 0 ? t->nodes[br->node_idx].netns : NULL;
}

/* The ifindex of bridge @i, looked up once per run (a star's N ports would ask N times);
 * 0 when unknown, and nsl_veth_add() asks itself. */
static int bridge_ifindex(struct run *R, const struct nsl_topo *t, int i)
{
	_cleanup_free_ struct nsl_link_info *li = NULL;
	size_t n = 0;

	if (!R->br_ifindex)
		R->br_ifindex = calloc(t->n_bridges + 1, sizeof(int));
	if (!R->br_ifindex)
		return 0;
	if (!R->br_ifindex[i] &&
	    nsl_link_list(R->ctx, br_netns(t, &t->bridges[i]), t->bridges[i].ifname, &li, &n, NULL) == 0 && n == 1)
		R->br_ifindex[i] = li->ifindex;
	return R->br_ifindex[i];
}

/* After the netns is made: its nsfs inode, the proof that the name is still the lab's netns. */
static int netns_record_ino(struct run *R, const char *netns, struct nsl_err *err)
{
	dev_t dev;
	ino_t ino;
	int r = nsl_netns_inode(R->ctx, netns, &dev, &ino, err);

	return r < 0 ? r : run_jadd(R, "nsino %s %llu", netns, (unsigned long long)ino);
}

/* The value @key of @netns had before the lab first set it, journaled (once: later records of
 * the same value are the same line), so that a sysctl dropped from the file gets it back. A
 * tab (multi-value sysctls) is written as a space, which the kernel takes as well. */
static int sysctl_save(struct run *R, const char *netns, const char *key, struct nsl_err *err)
{
	char old[256];
	int r = nsl_sysctl_get(R->ctx, netns, key, old, sizeof(old), err);

	if (r < 0)
		return r;
	for (char *p = old; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return run_jadd(R, "sysctl %s %s %s", netns, key, old);
}

static int sysctl_restore(struct run *R, const char *netns, const char *key, struct nsl_err *err)
{
	struct jstate js;
	char prefix[400];
	size_t len;
	int r = journal_read(R->dirfd, R->lab, &js);

	len = (size_t)snprintf(prefix, sizeof(prefix), "sysctl %s %s ", netns, key);
	for (size_t i = 0; r == 0 && i < js.n; i++)
		if (!strncmp(js.v[i].line, prefix, len)) {
			r = nsl_sysctl_set(R->ctx, netns, key, js.v[i].line + len, err);
			if (r == 0)
				r = run_jadd(R, "-%s", js.v[i].line);
		}
	jstate_free(&js);
	return r;
}

/* A random locally administered MAC for bridge @ifname, journaled ("brmac") before use. */
static int bridge_nonce(struct run *R, const char *ifname, uint8_t mac[6])
{
	if (getrandom(mac, 6, 0) != 6)
		return -EIO;
	mac[0] = (uint8_t)((mac[0] & 0xfc) | 0x02);
	return run_jadd(R, "brmac %s %02x:%02x:%02x:%02x:%02x:%02x", ifname, mac[0], mac[1], mac[2], mac[3], mac[4],
			mac[5]);
}

/* Create @x of model @t. */
static int obj_add(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	const struct nsl_topo_node *n = x->node >= 0 ? &t->nodes[x->node] : NULL;
	const struct nsl_topo_iface *ifc = n && x->iface >= 0 ? &n->ifaces[x->iface] : NULL;
	int r = 0;

	switch (x->kind) {
	case O_NETNS:
		r = run_jadd(R, "netns %s", n->netns);
		if (r < 0)
			return r;
		/* Without IPv6 addresses a node gets no IPv6 at all, before its links come up:
		 * otherwise every new port's router solicitations and MLD reports flood the
		 * bridge (N^2 packets), and even ARP is dropped in a big star. */
		/* lo carries the lab's marker from before the netns has its name. */
		r = nsl_netns_add_opts(R->ctx, n->netns,
				       &(struct nsl_netns_opts){ .ipv6_off = !n->has_ipv6, .mark = R->mark }, err);
		if (r < 0) {
			run_jadd(R, "-netns %s", n->netns); /* nothing made: a name that is not ours */
			return r;
		}
		changed(R);
		return netns_record_ino(R, n->netns, err);
	case O_SYSCTL:
		r = sysctl_save(R, n->netns, n->sysctls[x->idx].key, err);
		if (r == 0)
			r = nsl_sysctl_set(R->ctx, n->netns, n->sysctls[x->idx].key, n->sysctls[x->idx].value, err);
		break;
	case O_BRIDGE: {
		const struct nsl_topo_bridge *br = &t->bridges[x->bridge];
		uint8_t mac[6];
		struct nsl_bridge b = {
			.name = br->ifname,
			.netns = br_netns(t, br),
			.stp = br->stp ? NSL_TRI_ON : NSL_TRI_KEEP,
			.vlan_filtering = br->vlan_filtering ? NSL_TRI_ON : NSL_TRI_KEEP,
			.mtu = br->mtu,
			.up = true,
			.alias = R->mark,
			/* Snooping stays off until all ports are in (up_adds): while it is on, each
			 * new port re-arms the multicast timers of every port, N^2 timer operations
			 * for N ports. */
			.mcast_snooping = NSL_TRI_OFF,
			/* In the lab's group with its ports: down deletes them all in one batch. */
			.group = br_netns(t, br) ? 0 : R->group,
		};

		if (!b.netns) {
			/* The kernel takes no alias in a create request, so the marker comes a request
			 * later; a random MAC, journaled first and given in the create request, proves
			 * the bridge the lab's should up die in between. */
			r = bridge_nonce(R, br->ifname, mac);
			if (r == 0)
				r = run_jadd(R, "link %s", br->ifname);
			if (r < 0)
				return r;
			b.mac = mac;
		}
		if (R->br_ifindex)
			R->br_ifindex[x->bridge] = 0; /* made anew */
		r = nsl_bridge_add(R->ctx, &b, err);
		if (r < 0) {
			if (!b.netns) { /* nothing made */
				run_jadd(R, "-link %s", br->ifname);
				journal_forget(R, "brmac %s ", br->ifname);
			}
			return r;
		}
		changed(R);
		if (!b.netns && !STREQ(br->altname, br->ifname))
			r = nsl_link_altname_add(R->ctx, NULL, br->ifname, br->altname, err);
		break;
	}
	case O_BRADDR: {
		const struct nsl_topo_bridge *br = &t->bridges[x->bridge];
		const struct nsl_prefix *p = &br->addrs[x->idx];

		r = nsl_addr_add(R->ctx, br_netns(t, br), br->ifname, p,
				 p->family == AF_INET6 ? NSL_ADDR_NODAD : 0, err);
		break;
	}
	case O_PORT: {
		const struct nsl_topo_bridge *br = &t->bridges[ifc->bridge_idx];
		struct nsl_veth v = {
			.name = ifc->host,
			.netns = br_netns(t, br),
			.peer = ifc->name,
			.peer_netns = n->netns,
			.mtu = ifc->mtu,
			.peer_mac = ifc->has_mac ? ifc->mac : NULL,
			.master = br->ifname,
			.up = true,
			.peer_up = true,
			.alias = R->mark,
			.altname = ifc->altname,
			.group = br_netns(t, br) ? 0 : R->group,
		};

		if (!v.netns) {
			r = run_jadd(R, "link %s", ifc->host);
			if (r < 0)
				return r;
		}
		v.master_ifindex = bridge_ifindex(R, t, ifc->bridge_idx);
		r = nsl_veth_add(R->ctx, &v, err);
		if (r < 0 && !v.netns)
			run_jadd(R, "-link %s", ifc->host); /* nothing made (nsl_veth_add undoes itself) */
		break;
	}
	case O_P2P: {
		const struct nsl_topo_link *l = &t->links[x->link];
		const struct nsl_topo_node *na = &t->nodes[l->ep[0].node], *nb = &t->nodes[l->ep[1].node];
		const struct nsl_topo_iface *ia = &na->ifaces[l->ep[0].iface], *ib = &nb->ifaces[l->ep[1].iface];
		struct nsl_veth v = {
			.name = ia->name,
			.netns = na->netns,
			.peer = ib->name,
			.peer_netns = nb->netns,
			.mtu = l->mtu ? l->mtu : ia->mtu ? ia->mtu : ib->mtu,
			.mac = ia->has_mac ? ia->mac : NULL,
			.peer_mac = ib->has_mac ? ib->mac : NULL,
			.up = true,
			.peer_up = true,
		};

		r = nsl_veth_add(R->ctx, &v, err);
		break;
	}
	case O_ADDR: {
		const struct nsl_prefix *p = &ifc->addrs[x->idx];

		/* No DAD: the lab is fresh and its addresses were checked for duplicates. */
		r = nsl_addr_add(R->ctx, n->netns, ifc->name, p, p->family == AF_INET6 ? NSL_ADDR_NODAD : 0,
				 err);
		break;
	}
	case O_RATE: {
		const struct nsl_topo_link *l = &t->links[x->link];

		for (int e = 0; e < 2 && r >= 0; e++) {
			const struct nsl_topo_node *ne = &t->nodes[l->ep[e].node];

			r = topo_qdisc_tbf(R->ctx, ne->netns, ne->ifaces[l->ep[e].iface].name, l->rate, err);
		}
		break;
	}
	case O_ROUTE: {
		const struct nsl_topo_route *rt = &n->routes[x->idx];
		struct nsl_route route = {
			.dst = rt->dst,
			.via = rt->has_via ? &rt->via : NULL,
			.dev = rt->dev,
			.metric = rt->metric,
		};

		/* Replace: a route may have gone with the last address of its device. */
		r = nsl_route_replace(R->ctx, n->netns, &route, err);
		break;
	}
	case O_DNS:
		r = dns_write(R, n, err);
		break;
	case O_HOSTS:
		r = hosts_write(R, t, n->netns, err);
		break;
	case O_RUN:
		r = run_start(R, t, n, err);
		break;
	case O_EXEC: {
		struct nsl_proc_ref ref;
		bool running = n->run && find_proc(R, n->name, &ref) == 0;

		r = exec_cmds(R, n, running ? &ref : NULL, err);
		break;
	}
	}
	if (r < 0)
		return r;
	changed(R);
	return 0;
}

static bool gone(int r)
{
	return r == -ENOENT || r == -ENODEV || r == -ESRCH || r == -EADDRNOTAVAIL;
}

/* The node's `run` process (when it still is the one started) and, without a PID namespace
 * to take them along, whatever else runs in the node's netns: one grace period for all. */
static int stop_node_run(struct run *R, const struct nsl_topo_node *n)
{
	struct nsl_proc_ref ref;
	dev_t dev;
	ino_t ino;

	if (find_proc(R, n->name, &ref) == 0)
		nsl_launch_stop_all(&ref, 1, 2000, NULL);
	if (nsl_netns_inode(R->ctx, n->netns, &dev, &ino, NULL) == 0)
		nsl_netns_kill_all(&ino, 1, 2000, NULL);
	journal_forget(R, "pid %s ", n->name);
	return journal_forget(R, "run %s ", n->name);
}

/* A node that goes: what runs in its netns, the netns (when it is still the lab's), its
 * /etc/netns files (when they still are what nslab wrote). */
static int remove_node(struct run *R, const struct nsl_topo_node *n, struct nsl_err *err)
{
	unsigned long long ino = 0;
	struct jstate js;
	int r = journal_read(R->dirfd, R->lab, &js);

	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, n->netns, "journal: %s", strerror(-r));
	r = prove_netns(R, n->netns, journal_nsino(&js, n->netns), &ino);
	if (r == 1)
		kill_in_netns(R, &ino, 1);
	if (r >= 1)
		r = nsl_netns_del(R->ctx, n->netns, err);
	if (r >= 0 || r == -EPERM || gone(r)) {
		del_owned_file(R, &js, n->netns, "hosts");
		del_owned_file(R, &js, n->netns, "resolv.conf");
		nsl_netconf_sweep(R->ctx, n->netns);
		r = 0;
	}
	jstate_free(&js);
	if (r < 0)
		return r;
	journal_forget(R, "pid %s ", n->name);
	journal_forget(R, "run %s ", n->name);
	journal_forget(R, "file %s ", n->netns);
	journal_forget(R, "sysctl %s ", n->netns);
	journal_forget(R, "nsino %s ", n->netns);
	return run_jadd(R, "-netns %s", n->netns);
}

static int remove_dns(struct run *R, const struct nsl_topo_node *n)
{
	struct jstate js;
	int r = journal_read(R->dirfd, R->lab, &js);

	if (r == 0)
		r = del_owned_file(R, &js, n->netns, "resolv.conf");
	jstate_free(&js);
	return r < 0 ? r : journal_forget(R, "file %s resolv.conf ", n->netns);
}

/* Remove @x of model @t; objects already gone are fine. */
static int obj_remove(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	const struct nsl_topo_node *n = x->node >= 0 ? &t->nodes[x->node] : NULL;
	const struct nsl_topo_iface *ifc = n && x->iface >= 0 ? &n->ifaces[x->iface] : NULL;
	int r = 0;

	switch (x->kind) {
	case O_NETNS:
		return remove_node(R, n, err);
	case O_SYSCTL:
		return sysctl_restore(R, n->netns, n->sysctls[x->idx].key, err);
	case O_HOSTS:
	case O_EXEC:
		return 0;
	case O_BRIDGE: {
		const struct nsl_topo_bridge *br = &t->bridges[x->bridge];

		r = del_marked_link(R, br_netns(t, br), br->ifname, err);
		if (r < 0 || br_netns(t, br))
			return r;
		journal_forget(R, "brmac %s ", br->ifname);
		return run_jadd(R, "-link %s", br->ifname);
	}
	case O_BRADDR: {
		const struct nsl_topo_bridge *br = &t->bridges[x->bridge];

		r = nsl_addr_del(R->ctx, br_netns(t, br), br->ifname, &br->addrs[x->idx], err);
		break;
	}
	case O_PORT: {
		const struct nsl_topo_bridge *br = &t->bridges[ifc->bridge_idx];

		r = del_marked_link(R, br_netns(t, br), ifc->host, err);
		if (r < 0)
			return r;
		return br_netns(t, br) ? 0 : run_jadd(R, "-link %s", ifc->host);
	}
	case O_P2P: {
		const struct nsl_topo_link *l = &t->links[x->link];
		const struct nsl_topo_node *na = &t->nodes[l->ep[0].node];

		r = nsl_link_del(R->ctx, na->netns, na->ifaces[l->ep[0].iface].name, err);
		break;
	}
	case O_ADDR:
		r = nsl_addr_del(R->ctx, n->netns, ifc->name, &ifc->addrs[x->idx], err);
		break;
	case O_RATE: {
		const struct nsl_topo_link *l = &t->links[x->link];

		for (int e = 0; e < 2; e++) {
			const struct nsl_topo_node *ne = &t->nodes[l->ep[e].node];

			topo_qdisc_del(R->ctx, ne->netns, ne->ifaces[l->ep[e].iface].name, NULL);
		}
		return 0;
	}
	case O_ROUTE: {
		const struct nsl_topo_route *rt = &n->routes[x->idx];
		struct nsl_route route = {
			.dst = rt->dst,
			.via = rt->has_via ? &rt->via : NULL,
			.dev = rt->dev,
			.metric = rt->metric,
		};

		r = nsl_route_del(R->ctx, n->netns, &route, err);
		break;
	}
	case O_DNS:
		return remove_dns(R, n);
	case O_RUN:
		return stop_node_run(R, n);
	}
	if (r < 0 && !gone(r))
		return r;
	if (err)
		nsl_err_clear(err);
	return 0;
}

/* ---- diff ---- */

static bool recreated(const struct objs *o, int i)
{
	return i >= 0 && (o->v[i].state == S_ADD || o->v[i].state == S_CHANGE);
}

/* Kernel drift: is @x (SAME so far) still there? Only objects cheap to check are checked. */
static bool present(struct nsl_ctx *ctx, const struct nsl_topo *t, const struct obj *x,
		    const struct nsl_link_info *root, size_t n_root)
{
	const struct nsl_topo_node *n = x->node >= 0 ? &t->nodes[x->node] : NULL;

	switch (x->kind) {
	case O_NETNS:
		return nsl_netns_exists(ctx, n->netns, NULL) == 1;
	case O_BRIDGE: {
		const struct nsl_topo_bridge *br = &t->bridges[x->bridge];

		if (br->node_idx >= 0)
			return nsl_link_exists(ctx, br_netns(t, br), br->ifname, NULL) == 1;
		for (size_t i = 0; i < n_root; i++)
			if (STREQ(root[i].ifname, br->ifname))
				return true;
		return false;
	}
	case O_PORT: {
		const struct nsl_topo_iface *ifc = &n->ifaces[x->iface];
		const struct nsl_topo_bridge *br = &t->bridges[ifc->bridge_idx];
		bool host = false;

		if (br->node_idx >= 0)
			host = nsl_link_exists(ctx, br_netns(t, br), ifc->host, NULL) == 1;
		for (size_t i = 0; i < n_root && !host; i++)
			host = STREQ(root[i].ifname, ifc->host);
		return host && nsl_link_exists(ctx, n->netns, ifc->name, NULL) == 1;
	}
	case O_P2P: {
		const struct nsl_topo_link *l = &t->links[x->link];

		for (int e = 0; e < 2; e++) {
			const struct nsl_topo_node *ne = &t->nodes[l->ep[e].node];

			if (nsl_link_exists(ctx, ne->netns, ne->ifaces[l->ep[e].iface].name, NULL) != 1)
				return false;
		}
		return true;
	}
	default:
		return true;
	}
}


/*
 * The root netns's links, sorted by name. Another lab coming up or going down at the same
 * time interrupts the dump (NLM_F_DUMP_INTR); core reads each interrupted answer to its end
 * and starts over, so the context's own root session stays usable.
 */
int root_links(struct nsl_ctx *ctx, struct nsl_link_info **ret, size_t *ret_n,
		      struct nsl_err *err)
{
	int r = nsl_link_list(ctx, NULL, NULL, ret, ret_n, err);

	if (r == 0 && *ret_n > 1)
		qsort(*ret, *ret_n, sizeof(**ret), link_cmp);
	return r;
}

int link_cmp(const void *a, const void *b)
{
	return strcmp(((const struct nsl_link_info *)a)->ifname, ((const struct nsl_link_info *)b)->ifname);
}

/* Mark every object of @nw (and @old, when given) with what up must do. */
static int diff(struct nsl_ctx *ctx, struct objs *nw, struct objs *old, bool check_kernel,
		struct nsl_err *err)
{
	_cleanup_free_ struct nsl_link_info *root = NULL;
	size_t n_root = 0;
	int r;

	if (check_kernel && old) {
		r = root_links(ctx, &root, &n_root, err);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < nw->n; i++) {
		struct obj *x = &nw->v[i];
		int k = old ? objs_find(old, x->key) : -1;

		if (k < 0)
			x->state = S_ADD;
		else if (old->v[k].sig != x->sig)
			x->state = S_CHANGE;
		else if (recreated(nw, x->parent) || recreated(nw, x->parent2))
			x->state = S_CHANGE;
		else if (check_kernel && !present(ctx, nw->t, x, root, n_root))
			x->state = S_CHANGE, x->missing = true;
		else
			x->state = S_SAME;
	}
	/* The kernel drops a node's routes with the last address of their device, or with the
	 * device: when any interface or address of a node changes, its routes are put back
	 * (replace, so no harm when they survived). Not a change of the lab: not listed. */
	{
		_cleanup_free_ bool *touched = calloc(nw->t->n_nodes + 1, sizeof(bool));

		if (!touched)
			return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
		for (size_t i = 0; i < nw->n; i++) {
			const struct obj *x = &nw->v[i];

			if (x->state == S_SAME)
				continue;
			if (x->kind == O_ADDR || x->kind == O_PORT)
				touched[x->node] = true;
			if (x->kind == O_P2P) {
				touched[nw->t->links[x->link].ep[0].node] = true;
				touched[nw->t->links[x->link].ep[1].node] = true;
			}
		}
		for (size_t i = 0; old && i < old->n; i++) {
			const struct obj *x = &old->v[i];
			int k;

			if (x->kind != O_ADDR || objs_find(nw, x->key) >= 0)
				continue;
			for (k = 0; k < (int)nw->t->n_nodes; k++)
				if (STREQ(nw->t->nodes[k].name, old->t->nodes[x->node].name))
					touched[k] = true;
		}
		for (size_t i = 0; i < nw->n; i++) {
			struct obj *x = &nw->v[i];

			if (x->kind == O_ROUTE && x->state == S_SAME && touched[x->node]) {
				x->state = S_CHANGE;
				x->refresh = true;
			}
		}
	}
	if (!old)
		return 0;
	for (size_t i = 0; i < old->n; i++) {
		struct obj *x = &old->v[i];
		int k = objs_find(nw, x->key);
		const struct obj *p = x->parent >= 0 ? &old->v[x->parent] : NULL;
		const struct obj *p2 = x->parent2 >= 0 ? &old->v[x->parent2] : NULL;

		x->state = k < 0			      ? S_REMOVE
			   : nw->v[k].state == S_CHANGE && !nw->v[k].refresh ? S_CHANGE
								      : S_SAME;
		if (k >= 0 && nw->v[k].missing)
			x->missing = true;
		/* Removing a netns takes everything in it; a device takes its addresses and
		 * qdiscs; a link goes when either of its namespaces goes. A bridge port stays
		 * when only its bridge goes. */
		x->implied = (p && p->state != S_SAME) ||
			     (p2 && p2->state != S_SAME && p2->kind == O_NETNS);
		(void)p2;
	}
	return 0;
}

static bool listed(const struct obj *x)
{
	return x->kind != O_HOSTS && !x->refresh;
}

static int plan_push(struct nsl_topo_change **v, size_t *n, char op, const char *what, bool missing)
{
	struct nsl_topo_change *nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n].op = op;
	snprintf(nv[*n].what, sizeof(nv[*n].what), "%s%s", what, missing ? " (missing from the kernel)" : "");
	(*n)++;
	return 0;
}

/* ---- state of a lab ---- */

static int load_applied(struct nsl_ctx *ctx, int dirfd, const char *lab, struct nsl_topo **ret,
			struct nsl_err *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = state_read(dirfd, "lab.yaml", &text, &len);

	if (r < 0)
		return r;
	(void)ctx;
	return nsl_topo_load(lab, text, len, ret, err);
}

_public_ int nsl_topo_load_lab(struct nsl_ctx *ctx, const char *lab, struct nsl_topo **ret,
			       struct nsl_err *err)
{
	_cleanup_close_ int dirfd = -1;
	int r = nsl_parse_labname(lab, err);

	if (r < 0)
		return r;
	r = topo_state_dir(ctx, lab, false, &dirfd, err);
	if (r == -ENOENT)
		return nsl_err_set(err, NSL_E_USAGE, -ENOENT, lab, "no lab '%s' is up", lab);
	if (r < 0)
		return r;
	r = load_applied(ctx, dirfd, lab, ret, err);
	if (r == -ENOENT)
		return nsl_err_set(err, NSL_E_USAGE, -ENOENT, lab, "lab '%s' has no complete up", lab);
	return r;
}

/* "commit N CRC": the CRC-32 of the lab.yaml that commit wrote. */
static uint32_t commit_crc(const struct jstate *js)
{
	unsigned long n;
	unsigned crc = 0;

	return sscanf(js->commit, "commit %lu %x", &n, &crc) == 2 ? crc : 0;
}

/*
 * The journal of lab @lab, read completely or not at all: a journal with a record that does
 * not verify, none at all beside a lab.yaml, or one that never committed although a lab.yaml
 * (written only after a commit) exists, is damaged — -EBADMSG, NSL_E_PARTIAL, and nothing is
 * done from it (`down --force` acts on what carries the lab's markers instead). *@ret_dirty:
 * an up was interrupted (no commit since its begin, or a lab.yaml other than the committed).
 */
static int read_state(int dirfd, const char *lab, struct jstate *js, bool *ret_dirty, struct nsl_err *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	bool has_yaml;
	int r = journal_read(dirfd, lab, js);

	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, lab, "journal of lab '%s': %s", lab, strerror(-r));
	has_yaml = state_read(dirfd, "lab.yaml", &text, &len) == 0;
	if (!js->corrupt && has_yaml && !js->exists)
		snprintf(js->why, sizeof(js->why), "it is missing"), js->corrupt = true;
	else if (!js->corrupt && has_yaml && !js->ever_committed)
		snprintf(js->why, sizeof(js->why), "it has no commit"), js->corrupt = true;
	if (js->corrupt) {
		char at[32] = "";

		if (js->bad_line)
			snprintf(at, sizeof(at), " at line %u", js->bad_line);
		return nsl_err_set(err, NSL_E_PARTIAL, -EBADMSG, lab,
				   "journal of lab '%s' is damaged (%s%s): nothing done; 'nslab down --force %s' "
				   "removes what carries the lab's markers", lab, js->why, at, lab);
	}
	*ret_dirty = js->exists && (!js->committed || !has_yaml || commit_crc(js) != nsl_crc32(0, text, len));
	return 0;
}

static int diff_for(struct nsl_ctx *ctx, const struct nsl_topo *t, int dirfd, struct objs *nw,
		    struct objs *old, struct nsl_topo **ret_old, bool *ret_dirty, struct nsl_err *err)
{
	struct jstate js = { 0 };
	struct nsl_topo *ot = NULL;
	int r;

	*ret_dirty = false;
	r = objs_build(t, nw);
	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, NULL, NULL);
	if (dirfd >= 0) {
		r = read_state(dirfd, t->name, &js, ret_dirty, err);
		jstate_free(&js);
		if (r < 0)
			return r;
		if (!*ret_dirty) {
			r = load_applied(ctx, dirfd, t->name, &ot, NULL);
			if (r < 0)
				ot = NULL;
		}
	}
	if (ot) {
		r = objs_build(ot, old);
		if (r < 0) {
			nsl_topo_free(ot);
			return nsl_err_set(err, NSL_E_SYSTEM, r, NULL, NULL);
		}
	}
	r = diff(ctx, nw, ot ? old : NULL, ot != NULL, err);
	if (r < 0) {
		nsl_topo_free(ot);
		return r;
	}
	*ret_old = ot;
	return 0;
}

_public_ int nsl_topo_plan(struct nsl_ctx *ctx, const struct nsl_topo *t, struct nsl_topo_change **ret,
			   size_t *ret_n, struct nsl_err *err)
{
	_cleanup_close_ int dirfd = -1;
	struct objs nw = { 0 }, old = { 0 };
	struct nsl_topo *ot = NULL;
	struct nsl_topo_change *v = NULL;
	size_t n = 0;
	bool dirty;
	int r;

	r = topo_state_dir(ctx, t->name, false, &dirfd, err);
	if (r < 0 && r != -ENOENT)
		return r;
	r = diff_for(ctx, t, dirfd, &nw, &old, &ot, &dirty, err);
	if (r < 0)
		goto out;
	if (dirty)
		plan_push(&v, &n, '-', "everything of the interrupted up", false);
	for (size_t i = 0; ot && i < old.n; i++)
		if (old.v[i].state == S_REMOVE && !old.v[i].implied && listed(&old.v[i]))
			plan_push(&v, &n, '-', old.v[i].key, false);
	for (size_t i = 0; i < nw.n; i++)
		if (nw.v[i].state != S_SAME && listed(&nw.v[i]))
			plan_push(&v, &n, nw.v[i].state == S_ADD ? '+' : '~', nw.v[i].key, nw.v[i].missing);
	*ret = v;
	*ret_n = n;
	r = 0;
out:
	objs_free(&nw);
	objs_free(&old);
	nsl_topo_free(ot);
	return r;
}

static void remove_state(int dirfd, const char *lab, struct nsl_ctx *ctx)
{
	_cleanup_close_ int root = open(nsl_ctx_get_dir(ctx, NSL_DIR_STATE), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	_cleanup_close_ int logs = openat(dirfd, "logs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	unlinkat(dirfd, "journal", 0);
	unlinkat(dirfd, "lab.yaml", 0);
	unlinkat(dirfd, ".journal.tmp", 0);
	unlinkat(dirfd, ".lab.yaml.tmp", 0);
	if (logs >= 0) {
		/* logs/NODE/FILE: two levels, each opened below the other with O_NOFOLLOW. */
		_cleanup_(closedirp) DIR *d = fdopendir(fcntl(logs, F_DUPFD_CLOEXEC, 3));
		struct dirent *de;

		while (d && (de = readdir(d))) {
			_cleanup_close_ int nd = -1;
			_cleanup_(closedirp) DIR *dd = NULL;
			struct dirent *fe;

			if (de->d_name[0] == '.')
				continue;
			nd = openat(logs, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (nd >= 0)
				dd = fdopendir(fcntl(nd, F_DUPFD_CLOEXEC, 3));
			while (dd && (fe = readdir(dd)))
				if (fe->d_name[0] != '.' || (fe->d_name[1] && strcmp(fe->d_name, "..")))
					unlinkat(nd, fe->d_name, 0);
			unlinkat(logs, de->d_name, AT_REMOVEDIR);
		}
		unlinkat(dirfd, "logs", AT_REMOVEDIR);
	}
	if (root >= 0)
		unlinkat(root, lab, AT_REMOVEDIR);
}

static void run_init(struct run *R, struct nsl_ctx *ctx, const char *lab, nsl_topo_progress_fn progress,
		     void *data)
{
	const char *s = secure_getenv("NSLAB_TEST_CRASH_AFTER");

	memset(R, 0, sizeof(*R));
	R->ctx = ctx;
	R->lab = lab;
	R->dirfd = -1;
	R->j.fd = -1;
	R->progress = progress;
	R->pdata = data;
	R->crash_after = s ? atol(s) : 0;
	snprintf(R->mark, sizeof(R->mark), NSL_TOPO_MARK_PREFIX "%s", lab);
	/* Derived from the lab name, so that down needs no record of it; bit 30 set to stay
	 * clear of the small numbers people give groups by hand, bit 31 clear so that `ip`
	 * (which reads groups as signed) can name it too. */
	R->group = 0x40000000u | (uint32_t)(nsl_hash64("nslab-group\n", lab, 0) & 0x3fffffffu);
}

_public_ int nsl_topo_down_opts(struct nsl_ctx *ctx, const char *lab, const struct nsl_topo_down_opts *o,
				unsigned *ret_removed, struct nsl_err *err)
{
	static const struct nsl_topo_down_opts none = { 0 };
	struct nsl_topo *model = NULL;
	struct run R;
	struct jstate js = { 0 };
	int lockfd = -1, r;
	unsigned removed = 0;
	bool dirty;

	if (!o)
		o = &none;
	r = nsl_parse_labname(lab, err);
	if (r < 0)
		return r;
	run_init(&R, ctx, lab, o->progress, o->data);
	R.note = o->note;
	R.ndata = o->note_data;
	r = journal_lock(ctx, lab, &lockfd, err);
	if (r < 0)
		return r;
	r = topo_state_dir(ctx, lab, false, &R.dirfd, err);
	if (r == -ENOENT && !o->force) {
		r = 0;
		goto out;
	}
	if (r < 0 && r != -ENOENT)
		goto out;
	r = R.dirfd >= 0 ? read_state(R.dirfd, lab, &js, &dirty, o->force ? NULL : err) : 0;
	if (r < 0 && !o->force)
		goto out;
	/* --force: what the records that verify name, what the lab's file names, and whatever
	 * carries the lab's marker. */
	if (o->force && R.dirfd >= 0)
		load_applied(ctx, R.dirfd, lab, &model, NULL);
	r = teardown(&R, &js, &(struct teardown_opts){ .force = o->force, .model = model }, &removed, err);
	if (r < 0) {
		if (err && err->kind != NSL_E_USAGE)
			err->kind = NSL_E_PARTIAL;
		goto out;
	}
	if (R.dirfd >= 0)
		remove_state(R.dirfd, lab, ctx);
out:
	nsl_topo_free(model);
	jstate_free(&js);
	if (R.dirfd >= 0)
		close(R.dirfd);
	journal_unlock(ctx, lab, lockfd, r == 0);
	if (r == 0 && ret_removed)
		*ret_removed = removed;
	return r;
}

_public_ int nsl_topo_down(struct nsl_ctx *ctx, const char *lab, nsl_topo_progress_fn progress,
			   void *data, unsigned *ret_removed, struct nsl_err *err)
{
	return nsl_topo_down_opts(ctx, lab, &(struct nsl_topo_down_opts){ .progress = progress, .data = data },
				  ret_removed, err);
}

/* ---- up ---- */

static bool netem_available(void)
{
	struct stat st;

	return stat("/sys/module/sch_netem", &st) == 0 || stat("/proc/sys/net/sched", &st) == 0;
}

/* A file up writes may exist only when it still is what the lab wrote. */
static int preflight_files(struct run *R, const struct nsl_topo *t, const struct objs *nw, struct nsl_err *err)
{
	struct jstate js = { 0 };
	int r = 0;

	if (R->dirfd >= 0 && journal_read(R->dirfd, R->lab, &js) < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, -EIO, t->name, "journal of lab '%s' cannot be read", t->name);
	for (size_t i = 0; r == 0 && i < nw->n; i++) {
		const struct obj *x = &nw->v[i];
		const char *ns = x->node >= 0 ? t->nodes[x->node].netns : NULL;
		const char *name = x->kind == O_HOSTS ? "hosts" : "resolv.conf";
		uint64_t have, h[16];
		size_t n;
		bool ok = false;

		if ((x->kind != O_HOSTS && x->kind != O_DNS) || x->state == S_SAME)
			continue;
		if (nsl_netconf_file_hash(R->ctx, ns, name, &have) == -ENOENT)
			continue;
		n = file_hashes(&js, ns, name, h, ELEMENTSOF(h));
		for (size_t k = 0; k < n; k++)
			ok |= h[k] == have;
		if (!ok)
			r = nsl_err_set(err, NSL_E_CONFLICT, -EEXIST, ns, "file %s/%s/%s exists and was not written by lab '%s'",
					nsl_ctx_get_dir(R->ctx, NSL_DIR_ETC), ns, name, t->name);
	}
	jstate_free(&js);
	return r;
}

/* Before any change: nothing the plan adds may exist already unless the lab owns it. */
static int preflight(struct run *R, const struct nsl_topo *t, const struct objs *nw, struct nsl_err *err)
{
	_cleanup_free_ struct nsl_link_info *root = NULL;
	size_t n_root = 0;
	int r;

	for (size_t i = 0; i < t->n_links; i++)
		if (t->links[i].has_netem && !netem_available()) {
			nsl_err_set(err, NSL_E_SYSTEM, -EOPNOTSUPP, t->path, "delay/loss: kernel lacks sch_netem");
			err->line = t->links[i].netem_pos.line;
			err->column = t->links[i].netem_pos.column;
			return -EOPNOTSUPP;
		}
	r = preflight_files(R, t, nw, err);
	if (r < 0)
		return r;
	r = root_links(R->ctx, &root, &n_root, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < nw->n; i++) {
		const struct obj *x = &nw->v[i];
		const char *host = NULL;
		struct nsl_link_info key = { 0 }, *li;

		if (x->state != S_ADD && !(x->state == S_CHANGE && x->missing))
			continue;
		if (x->kind == O_NETNS && x->state == S_ADD) {
			const char *ns = t->nodes[x->node].netns;
			char path[PATH_MAX];
			struct stat st;

			/* Anything at the name (a netns, a plain file, a dangling symlink) is somebody's. */
			if (nsl_ns_path(R->ctx, ns, path, sizeof(path)) && lstat(path, &st) == 0)
				return nsl_err_set(err, NSL_E_CONFLICT, -EEXIST, ns,
						   "netns '%s' exists and does not belong to lab '%s'", ns, t->name);
		}
		if (x->kind == O_BRIDGE && t->bridges[x->bridge].node_idx < 0)
			host = t->bridges[x->bridge].ifname;
		if (x->kind == O_PORT && t->bridges[t->nodes[x->node].ifaces[x->iface].bridge_idx].node_idx < 0)
			host = t->nodes[x->node].ifaces[x->iface].host;
		if (!host || x->state != S_ADD)
			continue;
		snprintf(key.ifname, sizeof(key.ifname), "%s", host);
		li = bsearch(&key, root, n_root, sizeof(*root), link_cmp);
		if (li)
			return nsl_err_set(err, NSL_E_CONFLICT, -EEXIST, host,
					   "device '%s' exists in the root netns and does not belong to lab '%s'",
					   host, t->name);
	}
	return 0;
}

/* A removed node's netns takes its veths along, but asynchronously: before the same names
 * are made again, wait until the kernel has removed the host-side ends. */
static int wait_removed_ports(struct run *R, const struct nsl_topo *ot, const struct objs *old,
			      struct nsl_err *err)
{
	_cleanup_free_ const char **names = calloc(old->n + 1, sizeof(char *));
	size_t n = 0;
	int r;

	if (!names)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	for (size_t i = 0; i < old->n; i++) {
		const struct obj *x = &old->v[i];
		const struct nsl_topo_iface *ifc;

		if (x->kind != O_PORT || x->state == S_SAME)
			continue;
		ifc = &ot->nodes[x->node].ifaces[x->iface];
		if (ot->bridges[ifc->bridge_idx].node_idx >= 0)
			continue;
		names[n++] = ifc->host;
	}
	if (!n)
		return 0;
	r = nsl_link_wait_gone(R->ctx, NULL, names, n, 20000, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		run_jadd(R, "-link %s", names[i]);
	return 0;
}

/* The journal, compacted to its live records and closed by "commit N CRC", then lab.yaml:
 * a lab.yaml always has a commit before it, and one that is not the committed one (a crash
 * between the two writes) makes the next up start over, as after any interrupted up. */
static int commit(struct run *R, const struct nsl_topo *t, struct nsl_err *err)
{
	_cleanup_free_ char *buf = NULL;
	struct jstate js;
	char last[64];
	size_t len = 0;
	int r;

	r = journal_read(R->dirfd, R->lab, &js);
	if (r == 0 && js.corrupt)
		r = -EBADMSG;
	if (r == 0) {
		snprintf(last, sizeof(last), "commit %zu %08x", js.n, nsl_crc32(0, t->text, t->text_len));
		r = journal_render(R->lab, &js, last, &buf, &len);
	}
	jstate_free(&js);
	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, NULL, "journal: %s", strerror(-r));
	journal_close(&R->j);
	r = state_write(R->dirfd, "journal", buf, len, err);
	return r < 0 ? r : state_write(R->dirfd, "lab.yaml", t->text, t->text_len, err);
}

/* One up: the run, the new objects, the ones of the last complete up and their model. */
struct up {
	struct run R;
	const struct nsl_topo *t;
	struct objs nw, old;
	struct nsl_topo *ot;
	bool fresh; /* no state before this up: a failure removes everything */
};

/* Compare with the last up. An up that was interrupted is known only from its journal:
 * take all of it down and start from nothing, which always converges. */
static int up_diff(struct up *U, struct nsl_err *err)
{
	struct nsl_ctx *ctx = U->R.ctx;
	struct jstate js;
	unsigned removed;
	bool dirty;
	int r;

	r = topo_state_dir(ctx, U->t->name, false, &U->R.dirfd, err);
	if (r < 0 && r != -ENOENT)
		return r;
	U->fresh = U->R.dirfd < 0;
	r = diff_for(ctx, U->t, U->R.dirfd, &U->nw, &U->old, &U->ot, &dirty, err);
	if (r < 0 || !dirty)
		return r;
	r = journal_read(U->R.dirfd, U->t->name, &js);
	if (r == 0)
		r = teardown(&U->R, &js, &(struct teardown_opts){ 0 }, &removed, err);
	jstate_free(&js);
	if (r < 0)
		return r;
	remove_state(U->R.dirfd, U->t->name, ctx);
	close(U->R.dirfd);
	U->R.dirfd = -1;
	U->fresh = true;
	objs_free(&U->nw);
	return diff_for(ctx, U->t, -1, &U->nw, &U->old, &U->ot, &dirty, err);
}

/* Steps for the progress count, and plan lines for the summary. */
static unsigned up_count(struct up *U)
{
	unsigned changes = 0;

	U->R.n = 0;
	for (size_t i = 0; U->ot && i < U->old.n; i++) {
		const struct obj *x = &U->old.v[i];

		if (x->state == S_SAME || x->implied)
			continue;
		U->R.n++;
		changes += x->state == S_REMOVE && listed(x);
	}
	for (size_t i = 0; i < U->nw.n; i++)
		if (U->nw.v[i].state != S_SAME) {
			U->R.n++;
			changes += listed(&U->nw.v[i]);
		}
	return changes;
}

/* Removals first, children before parents; a failure there cannot be undone. */
static int up_removals(struct up *U, struct nsl_err *err)
{
	int r;

	for (size_t i = U->ot ? U->old.n : 0; i-- > 0;) {
		const struct obj *x = &U->old.v[i];

		if (x->state == S_SAME || x->implied)
			continue;
		run_step(&U->R, x->state == S_REMOVE ? "del" : "renew", x->key);
		r = obj_remove(&U->R, U->ot, x, err);
		if (r < 0)
			return fail_obj(err, x, r);
	}
	return U->ot ? wait_removed_ports(&U->R, U->ot, &U->old, err) : 0;
}

/* @failed could not be added: remove what this up added, children first (what lives in a
 * netns made here goes with it), and the failed object's own half. */
static void up_unwind(struct up *U, const int *undo, size_t n_undo, const struct obj *failed,
		      struct nsl_err *err)
{
	const struct objs *nw = &U->nw;
	struct nsl_err ignore = { 0 };

	/* Only what this up made goes: each removal proves the object is the lab's (the netns
	 * inode it recorded, the marker), and an object that could not be made was never
	 * journaled as made; nothing is said about what is left alone here. */
	U->R.note = NULL;
	if (U->fresh) {
		struct jstate js;
		unsigned removed;

		/* The journal names all of it, so that no state is left either. */
		journal_close(&U->R.j);
		if (journal_read(U->R.dirfd, U->t->name, &js) == 0 &&
		    teardown(&U->R, &js, &(struct teardown_opts){ 0 }, &removed, &ignore) == 0)
			remove_state(U->R.dirfd, U->t->name, U->R.ctx);
		jstate_free(&js);
		if (err && err->kind != NSL_E_USAGE && err->kind != NSL_E_CONFLICT)
			err->kind = NSL_E_SYSTEM;
		return;
	}
	for (size_t u = n_undo; u-- > 0;) {
		const struct obj *y = &nw->v[undo[u]];
		bool implied = (y->parent >= 0 && nw->v[y->parent].state != S_SAME) ||
			       (y->parent2 >= 0 && nw->v[y->parent2].kind == O_NETNS &&
				nw->v[y->parent2].state != S_SAME);

		if (!implied)
			obj_remove(&U->R, U->t, y, &ignore);
	}
	if (failed->kind == O_RUN)
		obj_remove(&U->R, U->t, failed, &ignore);
	if (err)
		err->kind = NSL_E_PARTIAL; /* what the removals took is not put back */
}

static int up_adds(struct up *U, struct nsl_err *err)
{
	_cleanup_free_ int *undo = calloc(U->nw.n + 1, sizeof(int));
	size_t n_undo = 0;
	int r;

	if (!undo)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	for (size_t i = 0; i < U->nw.n; i++) {
		const struct obj *x = &U->nw.v[i];

		if (x->state == S_SAME)
			continue;
		run_step(&U->R, "add", x->key);
		r = obj_add(&U->R, U->t, x, err);
		if (r < 0) {
			fail_obj(err, x, r);
			up_unwind(U, undo, n_undo, x, err);
			return r;
		}
		undo[n_undo++] = (int)i;
	}
	/* Bridges are built with multicast snooping off (see O_BRIDGE) and get the kernel's
	 * default back once all their ports are in; also after an up that died half-way. */
	for (size_t i = 0; i < U->t->n_bridges; i++) {
		const struct nsl_topo_bridge *br = &U->t->bridges[i];
		struct nsl_bridge b = { .name = br->ifname, .netns = br_netns(U->t, br),
					.mcast_snooping = NSL_TRI_ON };

		r = nsl_bridge_set(U->R.ctx, &b, err);
		if (r < 0)
			return r;
	}
	return 0;
}

_public_ int nsl_topo_up(struct nsl_ctx *ctx, const struct nsl_topo *t, nsl_topo_progress_fn progress,
			 void *data, unsigned *ret_changes, struct nsl_err *err)
{
	struct up U = { .t = t };
	unsigned changes;
	int lockfd = -1, r;

	run_init(&U.R, ctx, t->name, progress, data);
	r = journal_lock(ctx, t->name, &lockfd, err);
	if (r < 0)
		return r;
	r = up_diff(&U, err);
	if (r == 0)
		r = preflight(&U.R, t, &U.nw, err);
	if (r < 0)
		goto out;
	changes = up_count(&U);
	if (U.R.n > 0) {
		if (U.R.dirfd < 0)
			r = topo_state_dir(ctx, t->name, true, &U.R.dirfd, err);
		if (r == 0)
			r = journal_open(U.R.dirfd, t->name, &U.R.j, err);
		if (r == 0)
			r = journal_add(&U.R.j, "begin", err);
		if (r < 0)
			goto out;
		r = up_removals(&U, err);
		if (r < 0) {
			if (err)
				err->kind = NSL_E_PARTIAL;
			goto out;
		}
		r = up_adds(&U, err);
		if (r == 0)
			r = commit(&U.R, t, err);
		if (r < 0)
			goto out;
	}
	if (ret_changes)
		*ret_changes = changes;
out:
	journal_close(&U.R.j);
	nsl_hosts_free(U.R.hosts);
	free(U.R.br_ifindex);
	if (U.R.dirfd >= 0)
		close(U.R.dirfd);
	journal_unlock(ctx, t->name, lockfd, U.fresh && r < 0);
	objs_free(&U.nw);
	objs_free(&U.old);
	nsl_topo_free(U.ot);
	return r;
}

_public_ int nsl_topo_labs(struct nsl_ctx *ctx, char ***ret, size_t *ret_n, struct nsl_err *err)
{
	_cleanup_(closedirp) DIR *d = opendir(nsl_ctx_get_dir(ctx, NSL_DIR_STATE));
	char **v = NULL;
	size_t n = 0;
	struct dirent *de;

	if (!d) {
		if (errno != ENOENT)
			return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), NULL, "state dir: %m");
	} else {
		while ((de = readdir(d))) {
			char **nv;

			if (de->d_type != DT_DIR || nsl_parse_labname(de->d_name, NULL) < 0)
				continue;
			nv = realloc(v, (n + 2) * sizeof(*v));
			if (!nv || !(nv[n] = strdup(de->d_name))) {
				nsl_strv_free(nv ? nv : v, n);
				return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
			}
			v = nv;
			v[++n] = NULL;
		}
	}
	if (n > 1) {
		/* insertion sort: a handful of labs */
		for (size_t i = 1; i < n; i++)
			for (size_t k = i; k > 0 && strcmp(v[k - 1], v[k]) > 0; k--) {
				char *tmp = v[k];
				v[k] = v[k - 1];
				v[k - 1] = tmp;
			}
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

_public_ int nsl_topo_run_proc(struct nsl_ctx *ctx, const char *lab, const char *node,
			       struct nsl_proc_ref *ret, struct nsl_err *err)
{
	struct run R;
	int r;

	run_init(&R, ctx, lab, NULL, NULL);
	r = topo_state_dir(ctx, lab, false, &R.dirfd, err);
	if (r < 0)
		return r;
	r = find_proc(&R, node, ret);
	close(R.dirfd);
	return r;
}

_public_ int nsl_topo_run_pid(struct nsl_ctx *ctx, const char *lab, const char *node, pid_t *ret_pid,
			      struct nsl_err *err)
{
	struct nsl_proc_ref ref;
	int r = nsl_topo_run_proc(ctx, lab, node, &ref, err);

	if (r == 0)
		*ret_pid = ref.pid;
	return r;
}
