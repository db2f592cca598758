// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What each key of a topology file means: the YAML tree is walked with one table of keys per
 * object, a setter for each key (an unknown key is an error at its position). A setter checks
 * its value alone; what needs the rest of the model is validate.c's.
 */
#include <arpa/inet.h>

#include "core.h"
#include "macro.h"
#include "model-internal.h"

/* A key of an object, and the setter that reads its value into @obj. */
struct field {
	const char *key;
	int (*fn)(struct ld *ld, void *obj, const struct ynode *v);
};

int nsli_nomem(struct ld *ld)
{
	return nsl_err_set(ld->err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
}

/*
 * Room for element @n of @arr, zeroed. Every growing array of the model grows only through
 * here, so its capacity follows from its length: 4, then the next power of two (doubling
 * keeps 100,000 links linear). Indexes stay valid; pointers into @arr do not.
 * Not GREEDY_REALLOC: the model's structs are public and keep no capacity, and it would start
 * at 16; most of these arrays (a node's interfaces, routes, addresses) hold one element, and
 * at 16 a lab of 35,000 links took twice the memory (150 MiB, then 319 MiB).
 */
void *nsli_grow(struct ld *ld, void *arr, size_t n, size_t size)
{
	void *p = arr;

	if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
		size_t cap = n ? 2 * n : 4;

		if (cap > SIZE_MAX / size)
			return NULL;
		p = realloc(arr, cap * size);
		if (!p)
			return NULL;
	}
	memset((char *)p + n * size, 0, size);
	(void)ld;
	return p;
}

const char *nsli_type_name(const struct ynode *n)
{
	return n->type == Y_MAP ? "a mapping" : n->type == Y_SEQ ? "a list" : n->null ? "null" : "a string";
}

int nsli_want(struct ld *ld, const struct ynode *n, enum ynode_type type, const char *what)
{
	if (n->type == type && !(type == Y_SCALAR && n->null))
		return 0;
	return nsli_yerr(ld->err, n, "%s: expected %s, got %s", what,
		    type == Y_MAP ? "a mapping" : type == Y_SEQ ? "a list" : "a value", nsli_type_name(n));
}

static int walk(struct ld *ld, const struct ynode *n, const struct field *tbl, void *obj,
		const char *what)
{
	int r;

	if (n->type == Y_SCALAR && n->null)
		return 0; /* "key:" with nothing: an empty mapping */
	r = nsli_want(ld, n, Y_MAP, what);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n->n; i++) {
		const struct field *f;

		for (f = tbl; f->key; f++)
			if (STREQ(f->key, n->keys[i]->value))
				break;
		if (!f->key)
			return nsli_yerr(ld->err, n->keys[i], "unknown key '%s' in %s", n->keys[i]->value, what);
		r = f->fn(ld, obj, n->items[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

int nsli_get_str(struct ld *ld, const struct ynode *n, const char *what, char **ret)
{
	int r = nsli_want(ld, n, Y_SCALAR, what);

	if (r < 0)
		return r;
	free(*ret);
	*ret = strdup(n->value);
	return *ret ? 0 : nsli_nomem(ld);
}

static int get_bool(struct ld *ld, const struct ynode *n, const char *what, bool *ret)
{
	if (n->type == Y_SCALAR && n->plain && (STREQ(n->value, "true") || STREQ(n->value, "false"))) {
		*ret = STREQ(n->value, "true");
		return 0;
	}
	return nsli_yerr(ld->err, n, "%s: expected true or false, got %s%s%s%s", what,
		    n->type == Y_SCALAR && !n->null ? "'" : "", n->type == Y_SCALAR && !n->null ? n->value : nsli_type_name(n),
		    n->type == Y_SCALAR && !n->null ? "'" : "", "");
}

static int get_u32(struct ld *ld, const struct ynode *n, const char *what, uint32_t min, uint32_t max,
		   uint32_t *ret)
{
	struct nsl_err e = { 0 };

	if (n->type != Y_SCALAR || n->null || !n->plain)
		return nsli_yerr(ld->err, n, "%s: expected a number, got %s", what,
			    n->type == Y_SCALAR && !n->null ? "a quoted string" : nsli_type_name(n));
	if (nsl_parse_u32(n->value, min, max, what, ret, &e) < 0)
		return nsli_yerr(ld->err, n, "%s: %s", what, e.msg);
	return 0;
}

/* A scalar or a list of scalars; @fn is called for each. */
static int each_scalar(struct ld *ld, const struct ynode *n, const char *what,
		       int (*fn)(struct ld *ld, void *obj, const struct ynode *s), void *obj)
{
	int r;

	if (n->type == Y_SCALAR && !n->null)
		return fn(ld, obj, n);
	r = nsli_want(ld, n, Y_SEQ, what);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n->n; i++) {
		r = nsli_want(ld, n->items[i], Y_SCALAR, what);
		if (r < 0)
			return r;
		r = fn(ld, obj, n->items[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- addresses ---- */

struct addrs {
	struct nsl_prefix **v;
	size_t *n;
};

static int add_cidr(struct ld *ld, void *obj, const struct ynode *s)
{
	struct addrs *a = obj;
	struct nsl_err e = { 0 };
	struct nsl_prefix p;

	if (nsl_parse_cidr(s->value, &p, &e) < 0)
		return nsli_yerr(ld->err, s, "address '%s': %s", s->value, e.msg);
	if (!strchr(s->value, '/'))
		return nsli_yerr(ld->err, s, "address '%s': give a prefix length (like %s/24)", s->value,
			    s->value);
	*a->v = nsli_grow(ld, *a->v, *a->n, sizeof(p));
	if (!*a->v)
		return nsli_nomem(ld);
	(*a->v)[(*a->n)++] = p;
	return 0;
}

static int get_addrs(struct ld *ld, const struct ynode *n, struct nsl_prefix **v, size_t *cnt)
{
	struct addrs a = { v, cnt };

	return each_scalar(ld, n, "address", add_cidr, &a);
}

/* ---- dns ---- */

static int dns_ns1(struct ld *ld, void *obj, const struct ynode *s)
{
	struct nsl_topo_dns *d = obj;
	struct nsl_err e = { 0 };
	struct nsl_prefix p;

	if (nsl_parse_addr(s->value, &p, &e) < 0)
		return nsli_yerr(ld->err, s, "nameserver '%s': %s", s->value, e.msg);
	if (d->n_nameservers >= 3)
		return nsli_yerr(ld->err, s, "more than 3 nameservers (the resolver reads 3)");
	d->nameservers = nsli_grow(ld, d->nameservers, d->n_nameservers, sizeof(p));
	if (!d->nameservers)
		return nsli_nomem(ld);
	d->nameservers[d->n_nameservers++] = p;
	return 0;
}

int nsli_push_str(struct ld *ld, char ***v, size_t *n, const char *s)
{
	*v = nsli_grow(ld, *v, *n, sizeof(char *));
	if (!*v || !((*v)[*n] = strdup(s)))
		return nsli_nomem(ld);
	(*n)++;
	return 0;
}

static int dns_search1(struct ld *ld, void *obj, const struct ynode *s)
{
	struct nsl_topo_dns *d = obj;

	if (strpbrk(s->value, " \t\n#;"))
		return nsli_yerr(ld->err, s, "search domain '%s': invalid character", s->value);
	return nsli_push_str(ld, &d->search, &d->n_search, s->value);
}

static int dns_opt1(struct ld *ld, void *obj, const struct ynode *s)
{
	struct nsl_topo_dns *d = obj;

	if (strpbrk(s->value, " \t\n#;"))
		return nsli_yerr(ld->err, s, "resolver option '%s': invalid character", s->value);
	return nsli_push_str(ld, &d->options, &d->n_options, s->value);
}

static int f_dns_ns(struct ld *ld, void *obj, const struct ynode *v)
{
	return each_scalar(ld, v, "nameservers", dns_ns1, obj);
}
static int f_dns_search(struct ld *ld, void *obj, const struct ynode *v)
{
	return each_scalar(ld, v, "search", dns_search1, obj);
}
static int f_dns_options(struct ld *ld, void *obj, const struct ynode *v)
{
	return each_scalar(ld, v, "options", dns_opt1, obj);
}

static const struct field dns_fields[] = {
	{ "nameservers", f_dns_ns },
	{ "search", f_dns_search },
	{ "options", f_dns_options },
	{ 0 },
};

static int get_dns(struct ld *ld, const struct ynode *v, struct nsl_topo_dns **ret)
{
	struct nsl_topo_dns *d;
	int r;

	if (*ret)
		return nsli_yerr(ld->err, v, "dns given twice");
	d = calloc(1, sizeof(*d));
	if (!d)
		return nsli_nomem(ld);
	*ret = d;
	r = walk(ld, v, dns_fields, d, "dns");
	if (r < 0)
		return r;
	if (d->n_nameservers == 0)
		return nsli_yerr(ld->err, v, "dns: 'nameservers' is required");
	return 0;
}

/* ---- sysctls ---- */

static int get_sysctls(struct ld *ld, const struct ynode *v, struct nsl_topo_kv **kv, size_t *n)
{
	int r = v->type == Y_SCALAR && v->null ? 0 : nsli_want(ld, v, Y_MAP, "sysctls");

	if (r < 0 || v->type != Y_MAP)
		return r;
	for (size_t i = 0; i < v->n; i++) {
		const struct ynode *k = v->keys[i], *val = v->items[i];

		if (strncmp(k->value, "net.", 4) != 0 || strstr(k->value, "..") || strchr(k->value, '/') ||
		    strlen(k->value) > 200)
			return nsli_yerr(ld->err, k, "sysctl '%s': only net.* keys can be set in a node",
				    k->value);
		if (val->type != Y_SCALAR || val->null)
			return nsli_yerr(ld->err, val, "sysctl '%s': expected a value, got %s", k->value,
				    nsli_type_name(val));
		if (strpbrk(val->value, "\n"))
			return nsli_yerr(ld->err, val, "sysctl '%s': value has a newline", k->value);
		*kv = nsli_grow(ld, *kv, *n, sizeof(**kv));
		if (!*kv)
			return nsli_nomem(ld);
		(*kv)[*n].key = strdup(k->value);
		(*kv)[*n].value = strdup(val->value);
		(*kv)[*n].pos = POS(k);
		(*n)++;
		if (!(*kv)[*n - 1].key || !(*kv)[*n - 1].value)
			return nsli_nomem(ld);
	}
	return 0;
}

/* ---- interfaces ---- */

static int f_if_bridge(struct ld *ld, void *obj, const struct ynode *v)
{
	return nsli_get_str(ld, v, "bridge", &((struct nsl_topo_iface *)obj)->bridge);
}
static int f_if_address(struct ld *ld, void *obj, const struct ynode *v)
{
	struct nsl_topo_iface *i = obj;

	return get_addrs(ld, v, &i->addrs, &i->n_addrs);
}
static int f_if_mac(struct ld *ld, void *obj, const struct ynode *v)
{
	struct nsl_topo_iface *i = obj;
	struct nsl_err e = { 0 };
	int r = nsli_want(ld, v, Y_SCALAR, "mac");

	if (r < 0)
		return r;
	if (nsl_parse_mac(v->value, i->mac, &e) < 0)
		return nsli_yerr(ld->err, v, "mac '%s': %s", v->value, e.msg);
	i->has_mac = true;
	return 0;
}
static int f_if_mtu(struct ld *ld, void *obj, const struct ynode *v)
{
	return get_u32(ld, v, "mtu", 68, 65535, &((struct nsl_topo_iface *)obj)->mtu);
}

static const struct field iface_fields[] = {
	{ "bridge", f_if_bridge },
	{ "address", f_if_address },
	{ "mac", f_if_mac },
	{ "mtu", f_if_mtu },
	{ 0 },
};

int nsli_iface_new(struct ld *ld, struct nsl_topo_node *node, const char *name, struct nsl_topo_pos pos)
{
	struct nsl_topo_iface *i;

	node->ifaces = nsli_grow(ld, node->ifaces, node->n_ifaces, sizeof(*i));
	if (!node->ifaces)
		return nsli_nomem(ld);
	i = &node->ifaces[node->n_ifaces];
	i->name = strdup(name);
	if (!i->name || node->n_ifaces >= INT32_MAX)
		return nsli_nomem(ld);
	i->bridge_idx = i->link_idx = -1;
	i->pos = pos;
	/* Names are unique per node: keys of one mapping, or looked up before a link adds one. */
	if (nsli_topo_index_add(&ld->ifaces, (uint64_t)(node - ld->t->nodes), i->name, strlen(i->name),
			   (int)node->n_ifaces, NULL) < 0)
		return nsli_nomem(ld);
	return (int)node->n_ifaces++;
}

static int f_node_ifaces(struct ld *ld, void *obj, const struct ynode *v)
{
	struct nsl_topo_node *node = obj;
	int r = v->type == Y_SCALAR && v->null ? 0 : nsli_want(ld, v, Y_MAP, "interfaces");

	if (r < 0 || v->type != Y_MAP)
		return r;
	for (size_t k = 0; k < v->n; k++) {
		struct nsl_err e = { 0 };
		const char *name = v->keys[k]->value;

		if (nsl_parse_ifname(name, &e) < 0)
			return nsli_yerr(ld->err, v->keys[k], "interface '%s': %s", name, e.msg);
		if (STREQ(name, "lo"))
			return nsli_yerr(ld->err, v->keys[k], "interface 'lo' is made by the kernel");
		r = nsli_iface_new(ld, node, name, POS(v->keys[k]));
		if (r < 0)
			return r;
		r = walk(ld, v->items[k], iface_fields, &node->ifaces[r], "interface");
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- routes: "PREFIX|default [via GW] [dev IF] [metric N]" ---- */

static int route1(struct ld *ld, void *obj, const struct ynode *s)
{
	struct nsl_topo_node *node = obj;
	struct nsl_topo_route rt = { .pos = POS(s) };
	_cleanup_free_ char *copy = strdup(s->value);
	_cleanup_free_ char *dev = NULL;
	char *words[8], *save = NULL, *w;
	size_t n = 0;
	struct nsl_err e = { 0 };

	if (!copy)
		return nsli_nomem(ld);
	for (w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (n == ELEMENTSOF(words))
			return nsli_yerr(ld->err, s, "route '%s': too many words", s->value);
		words[n++] = w;
	}
	if (n == 0)
		return nsli_yerr(ld->err, s, "empty route");
	for (size_t i = 1; i < n; i += 2) {
		if (i + 1 >= n)
			return nsli_yerr(ld->err, s, "route '%s': '%s' needs a value", s->value, words[i]);
		if (STREQ(words[i], "via")) {
			if (nsl_parse_addr(words[i + 1], &rt.via, &e) < 0)
				return nsli_yerr(ld->err, s, "route '%s': gateway: %s", s->value, e.msg);
			rt.has_via = true;
		} else if (STREQ(words[i], "dev")) {
			if (nsl_parse_ifname(words[i + 1], &e) < 0)
				return nsli_yerr(ld->err, s, "route '%s': dev: %s", s->value, e.msg);
			free(dev);
			dev = strdup(words[i + 1]);
			if (!dev)
				return nsli_nomem(ld);
		} else if (STREQ(words[i], "metric")) {
			if (nsl_parse_u32(words[i + 1], 0, UINT32_MAX, "metric", &rt.metric, &e) < 0)
				return nsli_yerr(ld->err, s, "route '%s': %s", s->value, e.msg);
		} else {
			return nsli_yerr(ld->err, s, "route '%s': unknown keyword '%s' (via, dev, metric)",
				    s->value, words[i]);
		}
	}
	if (nsl_parse_route_prefix(words[0], rt.has_via ? rt.via.family : AF_UNSPEC, &rt.dst, &e) < 0)
		return nsli_yerr(ld->err, s, "route '%s': %s", s->value, e.msg);
	if (!rt.has_via && !dev)
		return nsli_yerr(ld->err, s, "route '%s': needs 'via GATEWAY' or 'dev IF'", s->value);
	if (rt.has_via && rt.via.family != rt.dst.family)
		return nsli_yerr(ld->err, s, "route '%s': gateway and destination are of different families",
			    s->value);
	node->routes = nsli_grow(ld, node->routes, node->n_routes, sizeof(rt));
	if (!node->routes || !(rt.text = strdup(s->value)))
		return nsli_nomem(ld);
	rt.dev = TAKE_PTR(dev);
	node->routes[node->n_routes++] = rt;
	return 0;
}

static int f_node_routes(struct ld *ld, void *obj, const struct ynode *v)
{
	return each_scalar(ld, v, "routes", route1, obj);
}
static int f_node_sysctls(struct ld *ld, void *obj, const struct ynode *v)
{
	struct nsl_topo_node *node = obj;

	return get_sysctls(ld, v, &node->sysctls, &node->n_sysctls);
}
static int f_node_dns(struct ld *ld, void *obj, const struct ynode *v)
{
	return get_dns(ld, v, &((struct nsl_topo_node *)obj)->dns);
}

static int exec1(struct ld *ld, void *obj, const struct ynode *s)
{
	struct nsl_topo_node *node = obj;

	return nsli_push_str(ld, &node->exec, &node->n_exec, s->value);
}
static int f_node_exec(struct ld *ld, void *obj, const struct ynode *v)
{
	return each_scalar(ld, v, "exec", exec1, obj);
}

static int run_cmd(struct ld *ld, void *obj, const struct ynode *v)
{
	struct nsl_topo_node *node = obj;
	int r = nsli_want(ld, v, Y_SEQ, "command");

	if (r < 0)
		return r;
	if (v->n == 0)
		return nsli_yerr(ld->err, v, "command: empty");
	for (size_t i = 0; i < v->n; i++) {
		r = nsli_want(ld, v->items[i], Y_SCALAR, "command");
		if (r < 0)
			return r;
	}
	/* NULL-terminated from the start: nsl_topo_free() walks it to the NULL. */
	nsl_strv_free(node->run, 0);
	node->run = calloc(v->n + 1, sizeof(char *));
	if (!node->run)
		return nsli_nomem(ld);
	for (size_t i = 0; i < v->n; i++)
		if (!(node->run[i] = strdup(v->items[i]->value)))
			return nsli_nomem(ld);
	return 0;
}

static int run_ns1(struct ld *ld, void *obj, const struct ynode *s)
{
	static const char *const names[] = { "uts", "pid", "ipc", "mount" };
	struct nsl_topo_node *node = obj;

	for (size_t i = 0; i < ELEMENTSOF(names); i++)
		if (STREQ(s->value, names[i])) {
			node->run_ns |= 1u << i;
			return 0;
		}
	return nsli_yerr(ld->err, s, "namespace '%s': expected uts, pid, ipc or mount", s->value);
}
static int run_ns(struct ld *ld, void *obj, const struct ynode *v)
{
	struct nsl_topo_node *node = obj;

	node->run_ns = 0;
	return each_scalar(ld, v, "namespaces", run_ns1, obj);
}

static const struct field run_fields[] = {
	{ "command", run_cmd },
	{ "namespaces", run_ns },
	{ 0 },
};

static int f_node_run(struct ld *ld, void *obj, const struct ynode *v)
{
	struct nsl_topo_node *node = obj;
	int r;

	node->run_ns = NSL_TOPO_NS_UTS | NSL_TOPO_NS_PID | NSL_TOPO_NS_IPC | NSL_TOPO_NS_MOUNT;
	r = nsli_want(ld, v, Y_MAP, "run");
	if (r < 0)
		return r;
	r = walk(ld, v, run_fields, obj, "run");
	if (r < 0)
		return r;
	if (!node->run)
		return nsli_yerr(ld->err, v, "run: 'command' is required");
	return 0;
}

static const struct field node_fields[] = {
	{ "interfaces", f_node_ifaces },
	{ "routes", f_node_routes },
	{ "sysctls", f_node_sysctls },
	{ "dns", f_node_dns },
	{ "run", f_node_run },
	{ "exec", f_node_exec },
	{ 0 },
};

/* ---- bridges ---- */

static int f_br_address(struct ld *ld, void *obj, const struct ynode *v)
{
	struct nsl_topo_bridge *b = obj;

	return get_addrs(ld, v, &b->addrs, &b->n_addrs);
}
static int f_br_stp(struct ld *ld, void *obj, const struct ynode *v)
{
	return get_bool(ld, v, "stp", &((struct nsl_topo_bridge *)obj)->stp);
}
static int f_br_vlan(struct ld *ld, void *obj, const struct ynode *v)
{
	return get_bool(ld, v, "vlan_filtering", &((struct nsl_topo_bridge *)obj)->vlan_filtering);
}
static int f_br_mtu(struct ld *ld, void *obj, const struct ynode *v)
{
	return get_u32(ld, v, "mtu", 68, 65535, &((struct nsl_topo_bridge *)obj)->mtu);
}
static int f_br_netns(struct ld *ld, void *obj, const struct ynode *v)
{
	return nsli_get_str(ld, v, "netns", &((struct nsl_topo_bridge *)obj)->node);
}

static const struct field bridge_fields[] = {
	{ "address", f_br_address },
	{ "stp", f_br_stp },
	{ "vlan_filtering", f_br_vlan },
	{ "mtu", f_br_mtu },
	{ "netns", f_br_netns },
	{ 0 },
};

/* ---- links ---- */

/* Impairment keys (netem): one set for both ends, one per end; see link_netem(). */
enum { NE_DELAY, NE_JITTER, NE_LOSS, NE_DUPLICATE, NE_CORRUPT, NE_REORDER, NE_N };

struct netem_ld {
	uint32_t v[NE_N];
	const struct ynode *key[NE_N]; /* the value node of each key given, or NULL */
};

struct link_ld {
	struct nsl_topo_link *l;
	const struct ynode *endpoints;
	struct netem_ld ne[3];	/* [0]: the link's own keys (both ends), [1 + e]: netem.a/b */
};

static int f_link_endpoints(struct ld *ld, void *obj, const struct ynode *v)
{
	struct link_ld *x = obj;
	int r = nsli_want(ld, v, Y_SEQ, "endpoints");

	if (r < 0)
		return r;
	if (v->n != 2)
		return nsli_yerr(ld->err, v, "endpoints: a link joins exactly 2 interfaces, got %zu", v->n);
	for (size_t i = 0; i < 2; i++) {
		r = nsli_want(ld, v->items[i], Y_SCALAR, "endpoint");
		if (r < 0)
			return r;
	}
	x->endpoints = v;
	return 0;
}
static int f_link_mtu(struct ld *ld, void *obj, const struct ynode *v)
{
	return get_u32(ld, v, "mtu", 68, 65535, &((struct link_ld *)obj)->l->mtu);
}
static int f_link_rate(struct ld *ld, void *obj, const struct ynode *v)
{
	struct nsl_topo_link *l = ((struct link_ld *)obj)->l;
	struct nsl_err e = { 0 };
	int r = nsli_get_str(ld, v, "rate", &l->rate_text);

	if (r < 0)
		return r;
	if (nsl_parse_rate(l->rate_text, &l->rate, &e) < 0)
		return nsli_yerr(ld->err, v, "rate '%s': %s", v->value, e.msg);
	return 0;
}

/* "10ms", "1.5s", "250us": a duration, to the microsecond. */
static int parse_us(const char *s, uint32_t *ret)
{
	static const struct {
		const char *unit;
		uint64_t us;
	} units[] = { { "us", 1 }, { "ms", 1000 }, { "s", 1000000 } };
	uint64_t whole = 0, frac = 0, scale = 1;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++)
		if ((whole = whole * 10 + (uint64_t)(*p - '0')) > NSL_TOPO_NETEM_MAX_US)
			return -ERANGE;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return -EINVAL;
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (scale >= 1000000)
				return -EINVAL;
			frac = frac * 10 + (uint64_t)(*p - '0');
			scale *= 10;
		}
	}
	for (size_t i = 0; i < ELEMENTSOF(units); i++) {
		uint64_t us;

		if (!STREQ(p, units[i].unit))
			continue;
		if ((frac * units[i].us) % scale)
			return -EDOM; /* finer than a microsecond */
		us = whole * units[i].us + frac * units[i].us / scale;
		if (us > NSL_TOPO_NETEM_MAX_US)
			return -ERANGE;
		*ret = (uint32_t)us;
		return 0;
	}
	return -EINVAL;
}

/* "1%", "0.5%": a percentage 0..100 with at most 6 decimals, in NSL_TOPO_PCT units. */
static int parse_pct(const char *s, uint32_t *ret)
{
	uint64_t v = 0, scale = NSL_TOPO_PCT;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++)
		if ((v = v * 10 + (uint64_t)(*p - '0')) > 100)
			return -ERANGE;
	v *= NSL_TOPO_PCT;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return -EINVAL;
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (scale == 1)
				return -EDOM;
			scale /= 10;
			v += (uint64_t)(*p - '0') * scale;
		}
	}
	if (!STREQ(p, "%"))
		return -EINVAL;
	if (v > 100 * (uint64_t)NSL_TOPO_PCT)
		return -ERANGE;
	*ret = (uint32_t)v;
	return 0;
}

static const struct {
	const char *key;
	bool pct;
} ne_keys[NE_N] = {
	[NE_DELAY] = { "delay", false },	 [NE_JITTER] = { "jitter", false },
	[NE_LOSS] = { "loss", true },		 [NE_DUPLICATE] = { "duplicate", true },
	[NE_CORRUPT] = { "corrupt", true },	 [NE_REORDER] = { "reorder", true },
};

static int ne_set(struct ld *ld, struct netem_ld *d, int k, const struct ynode *v)
{
	int r = nsli_want(ld, v, Y_SCALAR, ne_keys[k].key);

	if (r < 0)
		return r;
	r = ne_keys[k].pct ? parse_pct(v->value, &d->v[k]) : parse_us(v->value, &d->v[k]);
	if (r == -ERANGE)
		return nsli_yerr(ld->err, v, "%s '%s': out of range (%s)", ne_keys[k].key, v->value,
			    ne_keys[k].pct ? "0% to 100%" : "at most 60s");
	if (r == -EDOM)
		return nsli_yerr(ld->err, v, "%s '%s': finer than %s", ne_keys[k].key, v->value,
			    ne_keys[k].pct ? "0.000001%" : "1us");
	if (r < 0)
		return nsli_yerr(ld->err, v, "%s '%s': expected %s", ne_keys[k].key, v->value,
			    ne_keys[k].pct ? "a percentage such as 1% or 0.5%" : "a duration such as 10ms, 250us or 1.5s");
	d->key[k] = v;
	return 0;
}

/* Each key twice: on the link (both ends) and inside netem.a / netem.b (one end). */
#define NE_FIELD(name, k)                                                                \
	static int f_ne_##name(struct ld *ld, void *obj, const struct ynode *v)          \
	{                                                                                \
		return ne_set(ld, obj, k, v);                                            \
	}                                                                                \
	static int f_link_##name(struct ld *ld, void *obj, const struct ynode *v)        \
	{                                                                                \
		return ne_set(ld, &((struct link_ld *)obj)->ne[0], k, v);                \
	}
NE_FIELD(delay, NE_DELAY)
NE_FIELD(jitter, NE_JITTER)
NE_FIELD(loss, NE_LOSS)
NE_FIELD(duplicate, NE_DUPLICATE)
NE_FIELD(corrupt, NE_CORRUPT)
NE_FIELD(reorder, NE_REORDER)

static const struct field netem_end_fields[] = {
	{ "delay", f_ne_delay },	 { "jitter", f_ne_jitter },   { "loss", f_ne_loss },
	{ "duplicate", f_ne_duplicate }, { "corrupt", f_ne_corrupt }, { "reorder", f_ne_reorder },
	{ 0 },
};

static int f_netem_a(struct ld *ld, void *obj, const struct ynode *v)
{
	return walk(ld, v, netem_end_fields, &((struct link_ld *)obj)->ne[1], "netem.a");
}
static int f_netem_b(struct ld *ld, void *obj, const struct ynode *v)
{
	return walk(ld, v, netem_end_fields, &((struct link_ld *)obj)->ne[2], "netem.b");
}

static const struct field netem_fields[] = {
	{ "a", f_netem_a },
	{ "b", f_netem_b },
	{ 0 },
};

static int f_link_netem(struct ld *ld, void *obj, const struct ynode *v)
{
	int r = nsli_want(ld, v, Y_MAP, "netem");

	return r < 0 ? r : walk(ld, v, netem_fields, obj, "netem");
}

/*
 * After the link's keys: each end's impairments are the link's keys with that end's
 * netem.a / netem.b keys over them, key by key. jitter and reorder act on the delay
 * (sch_netem reorders by sending some packets at once, the others delayed).
 */
static int link_netem(struct ld *ld, struct link_ld *x)
{
	const struct ynode *first = NULL;

	for (int e = 0; e < 2; e++) {
		struct nsl_topo_netem *n = &x->l->netem[e];
		const struct ynode *key[NE_N];
		uint32_t v[NE_N];

		for (int k = 0; k < NE_N; k++) {
			const struct netem_ld *d = x->ne[1 + e].key[k] ? &x->ne[1 + e] : &x->ne[0];

			key[k] = d->key[k];
			v[k] = key[k] ? d->v[k] : 0;
			if (key[k] && (!first || key[k]->line < first->line ||
				       (key[k]->line == first->line && key[k]->column < first->column)))
				first = key[k];
			n->set |= key[k] != NULL;
		}
		if (v[NE_JITTER] && !v[NE_DELAY])
			return nsli_yerr(ld->err, key[NE_JITTER], "jitter needs a delay (on the egress of end %c)", 'a' + e);
		if (v[NE_REORDER] && !v[NE_DELAY])
			return nsli_yerr(ld->err, key[NE_REORDER], "reorder needs a delay (on the egress of end %c)", 'a' + e);
		n->delay_us = v[NE_DELAY];
		n->jitter_us = v[NE_JITTER];
		n->loss = v[NE_LOSS];
		n->duplicate = v[NE_DUPLICATE];
		n->corrupt = v[NE_CORRUPT];
		n->reorder = v[NE_REORDER];
	}
	x->l->has_netem = x->l->netem[0].set || x->l->netem[1].set;
	if (first)
		x->l->netem_pos = POS(first);
	return 0;
}

static const struct field link_fields[] = {
	{ "endpoints", f_link_endpoints },
	{ "mtu", f_link_mtu },
	{ "rate", f_link_rate },
	{ "delay", f_link_delay },
	{ "jitter", f_link_jitter },
	{ "loss", f_link_loss },
	{ "duplicate", f_link_duplicate },
	{ "corrupt", f_link_corrupt },
	{ "reorder", f_link_reorder },
	{ "netem", f_link_netem },
	{ 0 },
};

/* ---- expect ---- */

struct expect_ld {
	struct nsl_topo_expect *x;
	const struct ynode *from;
};

static int f_exp_from(struct ld *ld, void *obj, const struct ynode *v)
{
	struct expect_ld *e = obj;
	int r = nsli_want(ld, v, Y_SCALAR, "from");

	if (r == 0)
		e->from = v;
	return r;
}
static int f_exp_to(struct ld *ld, void *obj, const struct ynode *v)
{
	return nsli_get_str(ld, v, "to", &((struct expect_ld *)obj)->x->to);
}
static int f_exp_reach(struct ld *ld, void *obj, const struct ynode *v)
{
	return get_bool(ld, v, "reach", &((struct expect_ld *)obj)->x->reach);
}
static int f_exp_timeout(struct ld *ld, void *obj, const struct ynode *v)
{
	return get_u32(ld, v, "timeout_ms", 1, 60000, &((struct expect_ld *)obj)->x->timeout_ms);
}

static const struct field expect_fields[] = {
	{ "from", f_exp_from },
	{ "to", f_exp_to },
	{ "reach", f_exp_reach },
	{ "timeout_ms", f_exp_timeout },
	{ 0 },
};

/* ---- top level ---- */

#define TOPKEY(k)                                                                                  \
	static int f_top_##k(struct ld *ld, void *obj, const struct ynode *v)                      \
	{                                                                                          \
		(void)ld;                                                                          \
		((struct top_ld *)obj)->k = v;                                                     \
		return 0;                                                                          \
	}
TOPKEY(name)
TOPKEY(prefix)
TOPKEY(nodes)
TOPKEY(bridges)
TOPKEY(links)
TOPKEY(expect)
TOPKEY(defaults)

static const struct field top_fields[] = {
	{ "name", f_top_name },	  { "prefix", f_top_prefix }, { "defaults", f_top_defaults },
	{ "bridges", f_top_bridges }, { "nodes", f_top_nodes }, { "links", f_top_links },
	{ "expect", f_top_expect }, { 0 },
};

static int f_def_dns(struct ld *ld, void *obj, const struct ynode *v)
{
	return get_dns(ld, v, &ld->def_dns);
}
static int f_def_sysctls(struct ld *ld, void *obj, const struct ynode *v)
{
	return get_sysctls(ld, v, &ld->def_sysctls, &ld->n_def_sysctls);
}

static const struct field defaults_fields[] = {
	{ "dns", f_def_dns },
	{ "sysctls", f_def_sysctls },
	{ 0 },
};

/* ---- the objects ---- */

int nsli_top_keys(struct ld *ld, const struct ynode *root, struct top_ld *top)
{
	if (root->type != Y_MAP)
		return nsli_yerr(ld->err, root, "expected a mapping with 'name' and 'nodes', got %s",
			    nsli_type_name(root));
	return walk(ld, root, top_fields, top, "the lab");
}

int nsli_defaults_keys(struct ld *ld, const struct ynode *v)
{
	return walk(ld, v, defaults_fields, NULL, "defaults");
}

int nsli_node_keys(struct ld *ld, const struct ynode *v, struct nsl_topo_node *node)
{
	return walk(ld, v, node_fields, node, "node");
}

int nsli_bridge_keys(struct ld *ld, const struct ynode *v, struct nsl_topo_bridge *b)
{
	return walk(ld, v, bridge_fields, b, "bridge");
}

int nsli_link_keys(struct ld *ld, const struct ynode *v, struct nsl_topo_link *l,
	      const struct ynode **ret_endpoints)
{
	struct link_ld x = { .l = l };
	int r;

	l->pos = POS(v);
	r = nsli_want(ld, v, Y_MAP, "link");
	if (r < 0)
		return r;
	r = walk(ld, v, link_fields, &x, "link");
	if (r >= 0)
		r = link_netem(ld, &x);
	if (r < 0)
		return r;
	if (!x.endpoints)
		return nsli_yerr(ld->err, v, "link: 'endpoints' is required");
	*ret_endpoints = x.endpoints;
	return 0;
}

int nsli_expect_keys(struct ld *ld, const struct ynode *v, struct nsl_topo_expect *x,
		const struct ynode **ret_from)
{
	struct expect_ld e = { .x = x };
	int r;

	x->reach = true;
	x->timeout_ms = 3000; /* ARP retries once a second: leave room for one lost request */
	x->pos = POS(v);
	r = nsli_want(ld, v, Y_MAP, "expect");
	if (r < 0)
		return r;
	r = walk(ld, v, expect_fields, &e, "expect");
	if (r < 0)
		return r;
	if (!e.from || !x->to)
		return nsli_yerr(ld->err, v, "expect: 'from' and 'to' are required");
	*ret_from = e.from;
	return 0;
}
