// SPDX-License-Identifier: LGPL-2.1-or-later
/* Kinds: a node's netns, and its sysctls. */
#include <sys/stat.h>

#include "core.h"
#include "kind.h"
#include "live.h"
#include "macro.h"
#include "run.h"

/* ---- netns ---- */

static int netns_build(struct builder *B)
{
	const struct nsl_topo *t = B->t;

	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct nsl_topo_node *n = &t->nodes[i];
		struct obj *x;

		B->node_obj[i] = (int)B->o->n;
		x = nsli_builder_push(B, O_NETNS, -1, -1);
		if (!x)
			return -ENOMEM;
		x->node = (int)i;
		snprintf(x->key, sizeof(x->key), "node %s", n->name);
		x->sig = nsli_sigf("%s %d", n->netns, n->has_ipv6);
	}
	return 0;
}

/* After the netns is made: its nsfs inode, the proof that the name is still the lab's netns. */
static int netns_record_ino(struct run *R, const char *netns, struct nsl_err *err)
{
	dev_t dev;
	ino_t ino;
	int r = nsl_netns_inode(R->ctx, netns, &dev, &ino, err);

	return r < 0 ? r : nsli_run_jadd(R, "nsino %s %llu", netns, (unsigned long long)ino);
}

static int netns_add(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	const struct nsl_topo_node *n = &t->nodes[x->node];
	int r = nsli_run_jadd(R, "netns %s", n->netns);

	if (r < 0)
		return r;
	/* Without IPv6 addresses a node gets no IPv6 at all, before its links come up:
	 * otherwise every new port's router solicitations and MLD reports flood the bridge
	 * (N^2 packets), and even ARP is dropped in a big star. The name file and lo carry the
	 * lab's mark from before the netns can be seen under its name. */
	r = nsl_netns_add_opts(R->ctx, n->netns, &(struct nsl_netns_opts){ .ipv6_off = !n->has_ipv6, .mark = R->mark },
			       err);
	if (r < 0) {
		nsli_run_jadd(R, "-netns %s", n->netns); /* nothing made: a name that is not ours */
		return r;
	}
	nsli_run_changed(R);
	return netns_record_ino(R, n->netns, err);
}

/* A node that goes: what runs in its netns, the netns (when it is still the lab's), its
 * /etc/netns files (when they still are what nslab wrote). */
static int netns_remove(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	const struct nsl_topo_node *n = &t->nodes[x->node];
	unsigned long long ino = 0;
	struct jstate js;
	int r = nsli_journal_read(R->dirfd, R->lab, &js);

	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, n->netns, "journal: %s", strerror(-r));
	r = nsli_prove_netns(R, n->netns, nsli_journal_nsino(&js, n->netns), &ino);
	if (r == 1)
		nsli_kill_in_netns(R, &ino, 1);
	if (r >= 1)
		r = nsl_netns_del(R->ctx, n->netns, err);
	if (r >= 0 || r == -EPERM || nsli_gone(r)) {
		nsli_del_node_files(R, &js, n->netns, false);
		r = 0;
	}
	if (r < 0) {
		nsli_jstate_free(&js);
		return r;
	}
	/* Nothing was journaled since the read: its records are the ones to forget. */
	nsli_run_forget_in(R, &js, "pid %s ", n->name);
	nsli_run_forget_in(R, &js, "run %s ", n->name);
	nsli_run_forget_in(R, &js, "file %s ", n->netns);
	nsli_run_forget_in(R, &js, "sysctl %s ", n->netns);
	nsli_run_forget_in(R, &js, "nsino %s ", n->netns);
	nsli_jstate_free(&js);
	return nsli_run_jadd(R, "-netns %s", n->netns);
}

static bool netns_live_ok(struct live *L, const struct obj *x, char *why, size_t size)
{
	if (nsli_live_netns_exists(L, x->node))
		return true;
	snprintf(why, size, "netns %s is missing", L->t->nodes[x->node].netns);
	return false;
}

/* Anything at the name (a netns, a plain file, a dangling symlink) is somebody's. */
static int netns_conflict(struct run *R, const struct nsl_topo *t, const struct obj *x, const struct jstate *js,
			  const struct nsl_link_info *root, size_t n_root, struct nsl_err *err)
{
	const char *ns = t->nodes[x->node].netns;
	char path[PATH_MAX];
	struct stat st;

	if (x->state != S_ADD || !nsli_ns_path(R->ctx, ns, path, sizeof(path)) || lstat(path, &st) < 0)
		return 0;
	return nsl_err_set(err, NSL_E_CONFLICT, -EEXIST, ns, "netns '%s' exists and does not belong to lab '%s'", ns,
			   t->name);
}

const struct kind nsli_kind_netns = {
	.name = "node",
	.flags = KIND_CONTAINER,
	.build = netns_build,
	.add = netns_add,
	.remove = netns_remove,
	.live_ok = netns_live_ok,
	.conflict = netns_conflict,
};

/* ---- sysctl ---- */

static int sysctl_build(struct builder *B)
{
	const struct nsl_topo *t = B->t;

	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct nsl_topo_node *n = &t->nodes[i];

		for (size_t k = 0; k < n->n_sysctls; k++) {
			struct obj *x = nsli_builder_push(B, O_SYSCTL, B->node_obj[i], -1);

			if (!x)
				return -ENOMEM;
			x->node = (int)i;
			x->idx = (int)k;
			snprintf(x->key, sizeof(x->key), "sysctl %s %s=%s", n->name, n->sysctls[k].key,
				 n->sysctls[k].value);
		}
	}
	return 0;
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
	return nsli_run_jadd(R, "sysctl %s %s %s", netns, key, old);
}

static int sysctl_add(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	const struct nsl_topo_node *n = &t->nodes[x->node];
	const struct nsl_topo_kv *kv = &n->sysctls[x->idx];
	int r = sysctl_save(R, n->netns, kv->key, err);

	return r < 0 ? r : nsl_sysctl_set(R->ctx, n->netns, kv->key, kv->value, err);
}

static int sysctl_remove(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	const struct nsl_topo_node *n = &t->nodes[x->node];
	const char *key = n->sysctls[x->idx].key;
	struct jstate js;
	char prefix[400];
	size_t len;
	int r = nsli_journal_read(R->dirfd, R->lab, &js);

	len = (size_t)snprintf(prefix, sizeof(prefix), "sysctl %s %s ", n->netns, key);
	for (size_t i = 0; r == 0 && i < js.n; i++)
		if (!strncmp(js.v[i].line, prefix, len)) {
			r = nsl_sysctl_set(R->ctx, n->netns, key, js.v[i].line + len, err);
			if (r == 0)
				r = nsli_run_jadd(R, "-%s", js.v[i].line);
		}
	nsli_jstate_free(&js);
	return r;
}

static bool sysctl_live_ok(struct live *L, const struct obj *x, char *why, size_t size)
{
	const struct nsl_topo_node *n = &L->t->nodes[x->node];
	const struct nsl_topo_kv *kv = &n->sysctls[x->idx];
	char have[256];

	if (!nsli_live_netns_exists(L, x->node) || nsl_sysctl_get(L->R->ctx, n->netns, kv->key, have, sizeof(have), NULL) < 0)
		return true; /* with its netns gone, the netns is the drift */
	for (char *p = have; *p; p++)
		if (*p == '\t')
			*p = ' ';
	if (STREQ(have, kv->value))
		return true;
	snprintf(why, size, "%s is %s", kv->key, have);
	return false;
}

const struct kind nsli_kind_sysctl = {
	.name = "sysctl",
	.build = sysctl_build,
	.add = sysctl_add,
	.remove = sysctl_remove,
	.live_ok = sysctl_live_ok,
};
