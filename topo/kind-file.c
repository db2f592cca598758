// SPDX-License-Identifier: LGPL-2.1-or-later
/* Kinds: a node's resolv.conf and hosts file under /etc/netns. Each file is journaled with the
 * hash of what is written, before it is written: down removes it only while it still is that,
 * and up never replaces a file that is not (conflict). */
#include "core.h"
#include "kind.h"
#include "live.h"
#include "macro.h"
#include "run.h"
#include "topo-internal.h"
#include "../netns/netconf-internal.h"

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
		h = h * 31 + nsli_topo_hash(t->nodes[i].name);
		for (size_t k = 0; k < t->nodes[i].n_ifaces; k++)
			for (size_t j = 0; j < t->nodes[i].ifaces[k].n_addrs; j++)
				h = h * 31 + nsli_topo_hash(nsli_pstr(&t->nodes[i].ifaces[k].addrs[j], a));
	}
	return h;
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

static int hosts_write(struct run *R, const struct nsl_topo *t, const char *netns, struct nsl_err *err)
{
	uint64_t h;
	int r = hosts_prepare(R, t, err);

	if (r == 0 && (r = nsli_hosts_prepared_hash(netns, R->hosts, &h)) < 0)
		nsl_err_set(err, NSL_E_SYSTEM, r, netns, NULL);
	if (r == 0)
		r = nsli_run_jadd(R, "file %s hosts %016llx", netns, (unsigned long long)h);
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
	r = nsli_dns_hash(n->netns, &d, &h, err);
	if (r == 0)
		r = nsli_run_jadd(R, "file %s resolv.conf %016llx", n->netns, (unsigned long long)h);
	return r < 0 ? r : nsl_dns_set(R->ctx, n->netns, &d, err);
}

/* A file up writes may exist only when it still is what the lab wrote. */
static int file_conflict(struct run *R, const struct nsl_topo *t, const struct obj *x, const struct jstate *js,
			 const char *name, struct nsl_err *err)
{
	const char *ns = t->nodes[x->node].netns;
	uint64_t have, h[16];
	size_t n;

	if (x->state == S_SAME || nsli_netconf_file_hash(R->ctx, ns, name, &have) == -ENOENT)
		return 0;
	n = nsli_file_hashes(js, ns, name, h, ELEMENTSOF(h));
	for (size_t k = 0; k < n; k++)
		if (h[k] == have)
			return 0;
	return nsl_err_set(err, NSL_E_CONFLICT, -EEXIST, ns, "file %s/%s/%s exists and was not written by lab '%s'",
			   nsl_ctx_get_dir(R->ctx, NSL_DIR_ETC), ns, name, t->name);
}

/* A file up wrote is still there and still what it wrote. */
static bool file_live_ok(struct live *L, const struct obj *x, const char *name, char *why, size_t size)
{
	const char *netns = L->t->nodes[x->node].netns;
	uint64_t have, h[16];
	size_t n = nsli_file_hashes(&L->js, netns, name, h, ELEMENTSOF(h));

	if (!n)
		return true; /* nothing recorded (a journal of an older nslab): nothing to compare */
	if (nsli_netconf_file_hash(L->R->ctx, netns, name, &have) < 0) {
		snprintf(why, size, "%s is missing", name);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		if (h[i] == have)
			return true;
	snprintf(why, size, "%s was changed", name);
	return false;
}

/* ---- resolv.conf ---- */

static int dns_build(struct builder *B)
{
	const struct nsl_topo *t = B->t;
	char d[1024];

	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct nsl_topo_node *n = &t->nodes[i];
		struct obj *x;

		if (!n->dns)
			continue;
		x = nsli_builder_push(B, O_DNS, B->node_obj[i], -1);
		if (!x)
			return -ENOMEM;
		x->node = (int)i;
		snprintf(x->key, sizeof(x->key), "dns %s", n->name);
		dns_text(n->dns, d, sizeof(d));
		x->sig = nsli_topo_hash(d);
	}
	return 0;
}

static int dns_add(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	return dns_write(R, &t->nodes[x->node], err);
}

static int dns_remove(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	const struct nsl_topo_node *n = &t->nodes[x->node];
	struct jstate js;
	int r = nsli_journal_read(R->dirfd, R->lab, &js);

	if (r == 0)
		r = nsli_del_owned_file(R, &js, n->netns, "resolv.conf");
	if (r >= 0)
		r = nsli_run_forget_in(R, &js, "file %s resolv.conf ", n->netns);
	nsli_jstate_free(&js);
	return r;
}

static bool dns_live_ok(struct live *L, const struct obj *x, char *why, size_t size)
{
	return file_live_ok(L, x, "resolv.conf", why, size);
}

static int dns_conflict(struct run *R, const struct nsl_topo *t, const struct obj *x, const struct jstate *js,
			const struct nsl_link_info *root, size_t n_root, struct nsl_err *err)
{
	return file_conflict(R, t, x, js, "resolv.conf", err);
}

const struct kind nsli_kind_dns = {
	.name = "resolv.conf",
	.build = dns_build,
	.add = dns_add,
	.remove = dns_remove,
	.live_ok = dns_live_ok,
	.conflict = dns_conflict,
};

/* ---- hosts ---- */

static int hosts_build(struct builder *B)
{
	const struct nsl_topo *t = B->t;
	uint32_t sig = hosts_sig(t);

	for (size_t i = 0; i < t->n_nodes; i++) {
		struct obj *x = nsli_builder_push(B, O_HOSTS, B->node_obj[i], -1);

		if (!x)
			return -ENOMEM;
		x->node = (int)i;
		snprintf(x->key, sizeof(x->key), "hosts %s", t->nodes[i].name);
		x->sig = sig;
	}
	return 0;
}

static int hosts_add(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	return hosts_write(R, t, t->nodes[x->node].netns, err);
}

/* It goes with its node. */
static int hosts_remove(struct run *R, const struct nsl_topo *t, const struct obj *x, struct nsl_err *err)
{
	return 0;
}

static bool hosts_live_ok(struct live *L, const struct obj *x, char *why, size_t size)
{
	return file_live_ok(L, x, "hosts", why, size);
}

static int hosts_conflict(struct run *R, const struct nsl_topo *t, const struct obj *x, const struct jstate *js,
			  const struct nsl_link_info *root, size_t n_root, struct nsl_err *err)
{
	return file_conflict(R, t, x, js, "hosts", err);
}

const struct kind nsli_kind_hosts = {
	.name = "hosts",
	.flags = KIND_UNLISTED,
	.build = hosts_build,
	.add = hosts_add,
	.remove = hosts_remove,
	.live_ok = hosts_live_ok,
	.conflict = hosts_conflict,
};
