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
#include <sys/stat.h>
#include <time.h>

#include "journal.h"
#include "core.h"
#include "macro.h"
#include "nslab/nslab.h"
#include "nslab/launch.h"
#include "topo-internal.h"
#include "qdisc.h"

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

/* ---- the run: context of one up/down ---- */

struct run {
	struct nsl_ctx *ctx;
	const char *lab;
	char mark[64];
	uint32_t group; /* IFLA_GROUP of the lab's host-side veths, for one-request deletion */
	int dirfd;
	struct journal j;
	long crash_after, changes;
	nsl_topo_progress_fn progress;
	void *pdata;
	unsigned k, n;
	struct nsl_hosts *hosts; /* rendered on first use */
	int *br_ifindex;	  /* per topology bridge, 0 until looked up */
};

/* Tests: NSLAB_TEST_CRASH_AFTER=k dies by SIGKILL right after the k-th kernel change. */
static void changed(struct run *R)
{
	R->changes++;
	if (R->crash_after > 0 && R->changes == R->crash_after)
		kill(getpid(), SIGKILL);
}

static void step(struct run *R, const char *op, const char *what)
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

static int jadd(struct run *R, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int jadd(struct run *R, const char *fmt, ...)
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
static int hosts_write(struct run *R, const struct nsl_topo *t, const char *netns, struct nsl_err *err)
{
	if (!R->hosts) {
		_cleanup_free_ struct nsl_host_entry *e = calloc(t->n_nodes + 1, sizeof(*e));
		_cleanup_free_ const char **names = calloc(t->n_nodes + 1, sizeof(char *));
		size_t n = 0;
		int r;

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
		r = nsl_hosts_prepare(e, n, &R->hosts, err);
		if (r < 0)
			return r;
	}
	return nsl_hosts_set_prepared(R->ctx, netns, R->hosts, err);
}

static int run_start(struct run *R, const struct nsl_topo *t, const struct nsl_topo_node *n,
		     struct nsl_err *err)
{
	struct nsl_launch l;
	struct nsl_launch_proc p = { 0 };
	unsigned long long st = 0;
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
	r = jadd(R, "run %s %s", n->name, n->netns);
	if (r < 0)
		return r;
	r = nsl_launch_run(R->ctx, &l, &p, err);
	if (r < 0)
		return r;
	if (nsl_launch_starttime(p.pid, &st, NULL) < 0)
		st = 0;
	(void)t;
	return jadd(R, "pid %s %d %llu", n->name, (int)p.pid, st);
}

static int exec_cmds(struct run *R, const struct nsl_topo_node *n, pid_t pid, struct nsl_err *err)
{
	for (size_t i = 0; i < n->n_exec; i++) {
		char *argv[] = { (char *)"/bin/sh", (char *)"-c", n->exec[i], NULL };
		int status = 0, r;

		r = pid > 0 ? nsl_launch_enter(R->ctx, pid, NSL_NS_ALL, argv, &status, err)
			    : nsl_launch_netns_exec(R->ctx, n->netns, argv, &status, err);
		if (r < 0)
			return r;
		if (status != 0)
			return nsl_err_set(err, NSL_E_SYSTEM, -ECANCELED, n->name,
					   "node '%s': exec '%s' exited %d", n->name, n->exec[i], status);
	}
	return 0;
}

static int find_pid(struct run *R, const char *node, pid_t *ret_pid, unsigned long long *ret_st)
{
	struct jstate js;
	int r = journal_read(R->dirfd, &js);

	if (r < 0)
		return r;
	r = -ESRCH;
	for (size_t i = 0; i < js.n; i++) {
		char nm[128];
		int pid;
		unsigned long long st;

		if (sscanf(js.v[i].line, "pid %127s %d %llu", nm, &pid, &st) == 3 && STREQ(nm, node)) {
			*ret_pid = pid;
			if (ret_st)
				*ret_st = st;
			r = 0;
		}
	}
	jstate_free(&js);
	return r;
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

/* Create @x of model @t. */
static int obj_add(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	const struct nsl_topo_node *n = x->node >= 0 ? &t->nodes[x->node] : NULL;
	const struct nsl_topo_iface *ifc = n && x->iface >= 0 ? &n->ifaces[x->iface] : NULL;
	int r = 0;

	switch (x->kind) {
	case O_NETNS:
		r = jadd(R, "netns %s", n->netns);
		if (r < 0)
			return r;
		/* Without IPv6 addresses a node gets no IPv6 at all, before its links come up:
		 * otherwise every new port's router solicitations and MLD reports flood the
		 * bridge (N^2 packets), and even ARP is dropped in a big star. */
		r = nsl_netns_add_opts(R->ctx, n->netns, &(struct nsl_netns_opts){ .ipv6_off = !n->has_ipv6 },
				       err);
		if (r < 0)
			return r;
		changed(R);
		return 0;
	case O_SYSCTL:
		r = nsl_sysctl_set(R->ctx, n->netns, n->sysctls[x->idx].key, n->sysctls[x->idx].value, err);
		break;
	case O_BRIDGE: {
		const struct nsl_topo_bridge *br = &t->bridges[x->bridge];
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
			r = jadd(R, "link %s", br->ifname);
			if (r < 0)
				return r;
		}
		if (R->br_ifindex)
			R->br_ifindex[x->bridge] = 0; /* made anew */
		r = nsl_bridge_add(R->ctx, &b, err);
		if (r < 0)
			return r;
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
			r = jadd(R, "link %s", ifc->host);
			if (r < 0)
				return r;
		}
		v.master_ifindex = bridge_ifindex(R, t, ifc->bridge_idx);
		r = nsl_veth_add(R->ctx, &v, err);
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
	case O_DNS: {
		struct nsl_dns d = {
			.nameservers = n->dns->nameservers,
			.n_nameservers = n->dns->n_nameservers,
			.search = (const char *const *)n->dns->search,
			.n_search = n->dns->n_search,
			.options = (const char *const *)n->dns->options,
			.n_options = n->dns->n_options,
		};

		r = jadd(R, "etc %s", n->netns);
		if (r == 0)
			r = nsl_dns_set(R->ctx, n->netns, &d, err);
		break;
	}
	case O_HOSTS:
		r = n->dns ? 0 : jadd(R, "etc %s", n->netns); /* O_DNS, just before, journaled it */
		if (r == 0)
			r = hosts_write(R, t, n->netns, err);
		break;
	case O_RUN:
		r = run_start(R, t, n, err);
		break;
	case O_EXEC: {
		pid_t pid = 0;

		if (n->run)
			find_pid(R, n->name, &pid, NULL);
		r = exec_cmds(R, n, pid, err);
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

static int stop_node_run(struct run *R, const struct nsl_topo_node *n)
{
	unsigned long long st = 0;
	pid_t pid;

	if (find_pid(R, n->name, &pid, &st) == 0) {
		nsl_launch_stop(pid, st, 2000, NULL);
		jadd(R, "-pid %s %d %llu", n->name, (int)pid, st);
	}
	return jadd(R, "-run %s %s", n->name, n->netns);
}

/* Remove @x of model @t; objects already gone are fine. */
static int obj_remove(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	const struct nsl_topo_node *n = x->node >= 0 ? &t->nodes[x->node] : NULL;
	const struct nsl_topo_iface *ifc = n && x->iface >= 0 ? &n->ifaces[x->iface] : NULL;
	int r = 0;

	switch (x->kind) {
	case O_NETNS:
		if (n->run)
			stop_node_run(R, n);
		r = nsl_netns_del(R->ctx, n->netns, err);
		if (r < 0 && !gone(r))
			return r;
		nsl_dns_del(R->ctx, n->netns, NULL);
		nsl_hosts_del(R->ctx, n->netns, NULL);
		jadd(R, "-etc %s", n->netns);
		return jadd(R, "-netns %s", n->netns);
	case O_SYSCTL:
	case O_HOSTS:
	case O_EXEC:
		return 0;
	case O_BRIDGE: {
		const struct nsl_topo_bridge *br = &t->bridges[x->bridge];

		r = nsl_link_del(R->ctx, br_netns(t, br), br->ifname, err);
		if (r < 0 && !gone(r))
			return r;
		return br_netns(t, br) ? 0 : jadd(R, "-link %s", br->ifname);
	}
	case O_BRADDR: {
		const struct nsl_topo_bridge *br = &t->bridges[x->bridge];

		r = nsl_addr_del(R->ctx, br_netns(t, br), br->ifname, &br->addrs[x->idx], err);
		break;
	}
	case O_PORT: {
		const struct nsl_topo_bridge *br = &t->bridges[ifc->bridge_idx];

		r = nsl_link_del(R->ctx, br_netns(t, br), ifc->host, err);
		if (r < 0 && !gone(r))
			return r;
		return br_netns(t, br) ? 0 : jadd(R, "-link %s", ifc->host);
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
		r = nsl_dns_del(R->ctx, n->netns, err);
		break;
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

static int link_cmp(const void *a, const void *b);

/*
 * The root netns's links, sorted by name. Another lab coming up or going down at the same
 * time interrupts the dump (NLM_F_DUMP_INTR); core reads each interrupted answer to its end
 * and starts over, so the context's own root session stays usable.
 */
static int root_links(struct nsl_ctx *ctx, struct nsl_link_info **ret, size_t *ret_n,
		      struct nsl_err *err)
{
	int r = nsl_link_list(ctx, NULL, NULL, ret, ret_n, err);

	if (r == 0 && *ret_n > 1)
		qsort(*ret, *ret_n, sizeof(**ret), link_cmp);
	return r;
}

static int link_cmp(const void *a, const void *b)
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
		r = journal_read(dirfd, &js);
		if (r < 0)
			return nsl_err_set(err, NSL_E_SYSTEM, r, NULL, "journal: %s", strerror(-r));
		*ret_dirty = js.exists && !js.committed;
		jstate_free(&js);
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

/*
 * Wait until none of @names is left in the root netns, asking about one name at a time: the
 * kernel removes them in one batch, so most are gone when asked, and a few requests every
 * few milliseconds do not compete with that batch for the RTNL lock the way asking about
 * every name each round would.
 */
static int wait_gone_each(struct nsl_ctx *ctx, const char *const *names, size_t n, unsigned timeout_ms)
{
	struct timespec t0, now;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t i = 0; i < n; i++) {
		long spent;
		int r;

		clock_gettime(CLOCK_MONOTONIC, &now);
		spent = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
		if (spent >= (long)timeout_ms)
			spent = timeout_ms - 1;
		r = nsl_link_wait_gone(ctx, NULL, &names[i], 1, timeout_ms - (unsigned)spent, NULL);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- teardown from the journal alone ---- */

/* Whether the lab's device group can go in one request: every device in it is the lab's
 * (its marker, or none when up died before the marker) and a veth or a bridge. */
static bool group_is_mine(const struct run *R, const struct nsl_link_info *root, size_t n_root)
{
	size_t mine = 0;

	for (size_t i = 0; i < n_root; i++) {
		if (root[i].group != R->group)
			continue;
		if ((root[i].alias[0] && !STREQ(root[i].alias, R->mark)) ||
		    (!STREQ(root[i].kind, "veth") && !STREQ(root[i].kind, "bridge")))
			return false;
		mine++;
	}
	return mine > 0;
}

/* The device of the journal line @e ("link NAME") in @root (sorted), when it is the lab's:
 * it carries the lab's marker, or none (up died between the create and the marker).
 * Someone else's device of that name is never touched. */
static struct nsl_link_info *journal_link(const struct run *R, const struct jentry *e,
					  struct nsl_link_info *root, size_t n_root)
{
	struct nsl_link_info key = { 0 }, *li;

	if (strncmp(e->line, "link ", 5))
		return NULL;
	snprintf(key.ifname, sizeof(key.ifname), "%s", e->line + 5);
	li = bsearch(&key, root, n_root, sizeof(*root), link_cmp);
	if (!li || (li->alias[0] && !STREQ(li->alias, R->mark)))
		return NULL;
	return li;
}

static int teardown(struct run *R, struct jstate *js, unsigned *ret_removed, struct nsl_err *err)
{
	_cleanup_free_ struct nsl_link_info *root = NULL;
	_cleanup_free_ const char **links = calloc(js->n + 1, sizeof(char *));
	_cleanup_free_ const char **bridges = calloc(js->n + 1, sizeof(char *));
	_cleanup_free_ int *hold = NULL;
	size_t n_root = 0, n_links = 0, n_bridges = 0, n_hold = 0;
	unsigned removed = 0, in_group = 0, n_br = 0;
	bool group;
	int r;

	if (!links || !bridges)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	/* The lab's bridges in the root netns stop multicast snooping first: with it on, a
	 * bridge re-arms the multicast timers of every port whenever one port leaves, N^2
	 * timer operations for N ports (a third of the group delete below). */
	r = root_links(R->ctx, &root, &n_root, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < js->n; i++) {
		struct nsl_link_info *li = journal_link(R, &js->v[i], root, n_root);

		if (!li || !STREQ(li->kind, "bridge"))
			continue;
		nsl_bridge_set(R->ctx, &(struct nsl_bridge){ .name = li->ifname, .mcast_snooping = NSL_TRI_OFF },
			       NULL);
		n_br++;
		in_group += li->group == R->group;
	}
	group = group_is_mine(R, root, n_root);
	/* The steps: each process stopped, each netns, the wait, each bridge outside the group. */
	R->k = 0;
	R->n = 1 + (group ? n_br - in_group : n_br);
	for (size_t i = 0; i < js->n; i++)
		R->n += !strncmp(js->v[i].line, "pid ", 4) || !strncmp(js->v[i].line, "netns ", 6);
	for (size_t i = 0; i < js->n; i++) {
		char node[128];
		int pid;
		unsigned long long st;

		if (sscanf(js->v[i].line, "pid %127s %d %llu", node, &pid, &st) == 3) {
			step(R, "stop", node);
			if (nsl_launch_stop(pid, st, 2000, NULL) > 0)
				removed++;
		}
	}
	/* A `run` whose pid line is missing (killed right after the start): every process in
	 * that node's netns is the lab's. */
	for (size_t i = 0; i < js->n; i++) {
		char node[128], ns[128], pidline[160];
		_cleanup_free_ pid_t *pids = NULL;
		size_t n_pids = 0;
		bool has_pid = false;

		if (sscanf(js->v[i].line, "run %127s %127s", node, ns) != 2)
			continue;
		snprintf(pidline, sizeof(pidline), "pid %s ", node);
		for (size_t k = 0; k < js->n; k++)
			has_pid |= !strncmp(js->v[k].line, pidline, strlen(pidline));
		if (has_pid || nsl_netns_pids(R->ctx, ns, &pids, &n_pids, NULL) < 0)
			continue;
		for (size_t k = 0; k < n_pids; k++)
			if (nsl_launch_stop(pids[k], 0, 2000, NULL) > 0)
				removed++;
	}
	/* The lab's host-side veths and bridges share one device group: when every device of
	 * that group is the lab's, one request deletes them all in one kernel batch (one
	 * unregister wait, not one per device). The netns names go first, each held open so
	 * the kernel does not start tearing it down (and the veths with it, one by one,
	 * fighting the group delete for the RTNL lock): umounting after the group delete
	 * instead costs 5x as much, in the kernel's wake. Deleting the netns lets the kernel
	 * tear down every device inside in one batch, once the holds are closed. */
	if (group) {
		hold = calloc(js->n + 1, sizeof(int));
		if (!hold)
			return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	}
	for (size_t i = 0; i < js->n; i++) {
		char path[PATH_MAX];
		int fd;

		if (strncmp(js->v[i].line, "netns ", 6))
			continue;
		/* Past the fd limit, a netns simply goes without a hold. */
		if (hold && nsl_ns_path(R->ctx, js->v[i].line + 6, path, sizeof(path)) &&
		    (fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0)
			hold[n_hold++] = fd;
		step(R, "del", js->v[i].line);
		if (nsl_netns_del(R->ctx, js->v[i].line + 6, NULL) == 0)
			removed++;
	}
	if (group && nsl_link_del_group(R->ctx, NULL, R->group, NULL) == 0)
		removed += in_group;
	for (size_t i = 0; i < n_hold; i++)
		close(hold[i]);
	free(TAKE_PTR(root));
	r = root_links(R->ctx, &root, &n_root, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < js->n; i++) {
		struct nsl_link_info *li = journal_link(R, &js->v[i], root, n_root);

		if (!li)
			continue;
		/* Bridges outside the group do not go with any netns: they are deleted below,
		 * once their ports are gone. The veths go with their peer's netns. */
		if (STREQ(li->kind, "bridge"))
			bridges[n_bridges++] = js->v[i].line + 5;
		else
			links[n_links++] = js->v[i].line + 5;
	}
	/* While the kernel tears the namespaces down, remove their /etc files. */
	for (size_t i = 0; i < js->n; i++)
		if (!strncmp(js->v[i].line, "etc ", 4)) {
			nsl_netconf_del(R->ctx, js->v[i].line + 4, NULL);
		}
	step(R, "wait", "for the kernel to remove the links");
	if (n_links) {
		/* The kernel's batch takes about a millisecond a link. A veth still there after
		 * that has a peer in a netns that someone else keeps alive (a process in it):
		 * delete those one by one. */
		r = wait_gone_each(R->ctx, links, n_links, 2000 + 5 * (unsigned)n_links);
		if (r == -ETIMEDOUT) {
			for (size_t i = 0; i < n_links; i++)
				nsl_link_del(R->ctx, NULL, links[i], NULL);
			r = nsl_link_wait_gone(R->ctx, NULL, links, n_links, 20000, err);
		}
		if (r < 0)
			return r;
		removed += (unsigned)n_links;
	}
	for (size_t i = 0; i < n_bridges; i++) {
		step(R, "del link", bridges[i]);
		r = nsl_link_del(R->ctx, NULL, bridges[i], NULL);
		if (r == 0)
			removed++;
	}
	if (n_bridges) {
		r = nsl_link_wait_gone(R->ctx, NULL, bridges, n_bridges, 20000, err);
		if (r < 0)
			return r;
	}
	*ret_removed = removed;
	return 0;
}

static void remove_state(int dirfd, const char *lab, struct nsl_ctx *ctx)
{
	_cleanup_close_ int root = open(nsl_ctx_get_dir(ctx, NSL_DIR_STATE), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	unlinkat(dirfd, "journal", 0);
	unlinkat(dirfd, "lab.yaml", 0);
	unlinkat(dirfd, ".journal.tmp", 0);
	unlinkat(dirfd, ".lab.yaml.tmp", 0);
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

_public_ int nsl_topo_down(struct nsl_ctx *ctx, const char *lab, nsl_topo_progress_fn progress,
			   void *data, unsigned *ret_removed, struct nsl_err *err)
{
	struct run R;
	struct jstate js = { 0 };
	int lockfd = -1, r;
	unsigned removed = 0;

	r = nsl_parse_labname(lab, err);
	if (r < 0)
		return r;
	run_init(&R, ctx, lab, progress, data);
	r = journal_lock(ctx, lab, &lockfd, err);
	if (r < 0)
		return r;
	r = topo_state_dir(ctx, lab, false, &R.dirfd, err);
	if (r == -ENOENT) {
		r = 0;
		goto out;
	}
	if (r < 0)
		goto out;
	r = journal_read(R.dirfd, &js);
	if (r < 0) {
		r = nsl_err_set(err, NSL_E_SYSTEM, r, lab, "journal: %s", strerror(-r));
		goto out;
	}
	r = teardown(&R, &js, &removed, err);
	if (r < 0) {
		if (err && err->kind != NSL_E_USAGE)
			err->kind = NSL_E_PARTIAL;
		goto out;
	}
	remove_state(R.dirfd, lab, ctx);
out:
	jstate_free(&js);
	if (R.dirfd >= 0)
		close(R.dirfd);
	journal_unlock(ctx, lab, lockfd, r == 0);
	if (r == 0 && ret_removed)
		*ret_removed = removed;
	return r;
}

/* ---- up ---- */

static bool netem_available(void)
{
	struct stat st;

	return stat("/sys/module/sch_netem", &st) == 0 || stat("/proc/sys/net/sched", &st) == 0;
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

			if (nsl_netns_exists(R->ctx, ns, NULL) == 1)
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
		jadd(R, "-link %s", names[i]);
	return 0;
}

static int commit(struct run *R, const struct nsl_topo *t, struct nsl_err *err)
{
	struct jstate js;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 64;
	int r;

	r = state_write(R->dirfd, "lab.yaml", t->text, t->text_len, err);
	if (r < 0)
		return r;
	r = journal_read(R->dirfd, &js);
	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, NULL, "journal: %s", strerror(-r));
	for (size_t i = 0; i < js.n; i++)
		cap += strlen(js.v[i].line) + 1;
	buf = malloc(cap);
	if (!buf) {
		jstate_free(&js);
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	}
	for (size_t i = 0; i < js.n; i++)
		len += (size_t)sprintf(buf + len, "%s\n", js.v[i].line);
	len += (size_t)sprintf(buf + len, "commit\n");
	jstate_free(&js);
	journal_close(&R->j);
	return state_write(R->dirfd, "journal", buf, len, err);
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
	r = journal_read(U->R.dirfd, &js);
	if (r == 0)
		r = teardown(&U->R, &js, &removed, err);
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
		step(&U->R, x->state == S_REMOVE ? "del" : "renew", x->key);
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

	for (size_t u = n_undo; u-- > 0;) {
		const struct obj *y = &nw->v[undo[u]];
		bool implied = (y->parent >= 0 && nw->v[y->parent].state != S_SAME) ||
			       (y->parent2 >= 0 && nw->v[y->parent2].kind == O_NETNS &&
				nw->v[y->parent2].state != S_SAME);

		if (!implied)
			obj_remove(&U->R, U->t, y, &ignore);
	}
	if (failed->kind == O_NETNS || failed->kind == O_BRIDGE || failed->kind == O_PORT ||
	    failed->kind == O_RUN)
		obj_remove(&U->R, U->t, failed, &ignore);
	if (U->fresh) {
		struct jstate js;
		unsigned removed;

		/* And whatever the journal still names, so that no state is left either. */
		journal_close(&U->R.j);
		if (journal_read(U->R.dirfd, &js) == 0 && teardown(&U->R, &js, &removed, &ignore) == 0)
			remove_state(U->R.dirfd, U->t->name, U->R.ctx);
		jstate_free(&js);
		if (err && err->kind != NSL_E_USAGE && err->kind != NSL_E_CONFLICT)
			err->kind = NSL_E_SYSTEM;
	} else if (err) {
		err->kind = NSL_E_PARTIAL; /* what the removals took is not put back */
	}
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
		step(&U->R, "add", x->key);
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

_public_ int nsl_topo_run_pid(struct nsl_ctx *ctx, const char *lab, const char *node, pid_t *ret_pid,
			      struct nsl_err *err)
{
	struct run R;
	int r;

	run_init(&R, ctx, lab, NULL, NULL);
	r = topo_state_dir(ctx, lab, false, &R.dirfd, err);
	if (r < 0)
		return r;
	r = find_pid(&R, node, ret_pid, NULL);
	close(R.dirfd);
	return r;
}
