// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Topology files: the YAML tree is walked with one table of keys per object (an unknown key is
 * an error at its position), then the model is validated as a whole before anything touches
 * the kernel: references, interfaces used twice, address families, gateways, duplicate
 * addresses on a segment, derived names.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "core.h"
#include "macro.h"
#include "topo-internal.h"
#include "yaml.h"

struct first_addr {
	bool done, found;
	struct nsl_prefix p;
};

/*
 * The loader's state. Every lookup goes through an index (a lab may have 200,000 nodes):
 * nothing compares an element with all the ones before it.
 */
struct ld {
	struct nsl_topo *t;
	struct nsl_err *err;
	struct nsl_topo_dns *def_dns;
	struct nsl_topo_kv *def_sysctls;
	size_t n_def_sysctls;
	const struct ynode *nodes_y;	/* the `nodes` mapping, for positions found late */
	struct topo_index nodes;	/* node name -> node index */
	struct topo_index bridges;	/* bridge name -> bridge index */
	struct topo_index ifaces;	/* (node, interface name) -> interface index */
	struct first_addr *first;	/* per node: its first address, for `expect: to: NODE` */
	struct topo_index def_ix;	/* default sysctl key -> index into def_sysctls */
	bool *def_has;			/* per default sysctl: the node being merged sets it */
};

struct field {
	const char *key;
	int (*fn)(struct ld *ld, void *obj, const struct ynode *v);
};

#define POS(n) ((struct nsl_topo_pos){ (n)->line, (n)->column })

static int nomem(struct ld *ld)
{
	return nsl_err_set(ld->err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
}

/*
 * Room for element @n of @arr, zeroed. Every growing array of the model grows only through
 * here, so its capacity follows from its length: 4, then the next power of two (doubling
 * keeps 100,000 links linear). Indexes stay valid; pointers into @arr do not.
 */
static void *grow(struct ld *ld, void *arr, size_t n, size_t size)
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

static const char *type_name(const struct ynode *n)
{
	return n->type == Y_MAP ? "a mapping" : n->type == Y_SEQ ? "a list" : n->null ? "null" : "a string";
}

static int want(struct ld *ld, const struct ynode *n, enum ynode_type type, const char *what)
{
	if (n->type == type && !(type == Y_SCALAR && n->null))
		return 0;
	return yerr(ld->err, n, "%s: expected %s, got %s", what,
		    type == Y_MAP ? "a mapping" : type == Y_SEQ ? "a list" : "a value", type_name(n));
}

static int walk(struct ld *ld, const struct ynode *n, const struct field *tbl, void *obj,
		const char *what)
{
	int r;

	if (n->type == Y_SCALAR && n->null)
		return 0; /* "key:" with nothing: an empty mapping */
	r = want(ld, n, Y_MAP, what);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n->n; i++) {
		const struct field *f;

		for (f = tbl; f->key; f++)
			if (STREQ(f->key, n->keys[i]->value))
				break;
		if (!f->key)
			return yerr(ld->err, n->keys[i], "unknown key '%s' in %s", n->keys[i]->value, what);
		r = f->fn(ld, obj, n->items[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

static int get_str(struct ld *ld, const struct ynode *n, const char *what, char **ret)
{
	int r = want(ld, n, Y_SCALAR, what);

	if (r < 0)
		return r;
	free(*ret);
	*ret = strdup(n->value);
	return *ret ? 0 : nomem(ld);
}

static int get_bool(struct ld *ld, const struct ynode *n, const char *what, bool *ret)
{
	if (n->type == Y_SCALAR && n->plain && (STREQ(n->value, "true") || STREQ(n->value, "false"))) {
		*ret = STREQ(n->value, "true");
		return 0;
	}
	return yerr(ld->err, n, "%s: expected true or false, got %s%s%s%s", what,
		    n->type == Y_SCALAR && !n->null ? "'" : "", n->type == Y_SCALAR && !n->null ? n->value : type_name(n),
		    n->type == Y_SCALAR && !n->null ? "'" : "", "");
}

static int get_u32(struct ld *ld, const struct ynode *n, const char *what, uint32_t min, uint32_t max,
		   uint32_t *ret)
{
	struct nsl_err e = { 0 };

	if (n->type != Y_SCALAR || n->null || !n->plain)
		return yerr(ld->err, n, "%s: expected a number, got %s", what,
			    n->type == Y_SCALAR && !n->null ? "a quoted string" : type_name(n));
	if (nsl_parse_u32(n->value, min, max, what, ret, &e) < 0)
		return yerr(ld->err, n, "%s: %s", what, e.msg);
	return 0;
}

/* A scalar or a list of scalars; @fn is called for each. */
static int each_scalar(struct ld *ld, const struct ynode *n, const char *what,
		       int (*fn)(struct ld *ld, void *obj, const struct ynode *s), void *obj)
{
	int r;

	if (n->type == Y_SCALAR && !n->null)
		return fn(ld, obj, n);
	r = want(ld, n, Y_SEQ, what);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n->n; i++) {
		r = want(ld, n->items[i], Y_SCALAR, what);
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
		return yerr(ld->err, s, "address '%s': %s", s->value, e.msg);
	if (!strchr(s->value, '/'))
		return yerr(ld->err, s, "address '%s': give a prefix length (like %s/24)", s->value,
			    s->value);
	*a->v = grow(ld, *a->v, *a->n, sizeof(p));
	if (!*a->v)
		return nomem(ld);
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
		return yerr(ld->err, s, "nameserver '%s': %s", s->value, e.msg);
	if (d->n_nameservers >= 3)
		return yerr(ld->err, s, "more than 3 nameservers (the resolver reads 3)");
	d->nameservers = grow(ld, d->nameservers, d->n_nameservers, sizeof(p));
	if (!d->nameservers)
		return nomem(ld);
	d->nameservers[d->n_nameservers++] = p;
	return 0;
}

static int push_str(struct ld *ld, char ***v, size_t *n, const char *s)
{
	*v = grow(ld, *v, *n, sizeof(char *));
	if (!*v || !((*v)[*n] = strdup(s)))
		return nomem(ld);
	(*n)++;
	return 0;
}

static int dns_search1(struct ld *ld, void *obj, const struct ynode *s)
{
	struct nsl_topo_dns *d = obj;

	if (strpbrk(s->value, " \t\n#;"))
		return yerr(ld->err, s, "search domain '%s': invalid character", s->value);
	return push_str(ld, &d->search, &d->n_search, s->value);
}

static int dns_opt1(struct ld *ld, void *obj, const struct ynode *s)
{
	struct nsl_topo_dns *d = obj;

	if (strpbrk(s->value, " \t\n#;"))
		return yerr(ld->err, s, "resolver option '%s': invalid character", s->value);
	return push_str(ld, &d->options, &d->n_options, s->value);
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
		return yerr(ld->err, v, "dns given twice");
	d = calloc(1, sizeof(*d));
	if (!d)
		return nomem(ld);
	*ret = d;
	r = walk(ld, v, dns_fields, d, "dns");
	if (r < 0)
		return r;
	if (d->n_nameservers == 0)
		return yerr(ld->err, v, "dns: 'nameservers' is required");
	return 0;
}

/* ---- sysctls ---- */

static int get_sysctls(struct ld *ld, const struct ynode *v, struct nsl_topo_kv **kv, size_t *n)
{
	int r = v->type == Y_SCALAR && v->null ? 0 : want(ld, v, Y_MAP, "sysctls");

	if (r < 0 || v->type != Y_MAP)
		return r;
	for (size_t i = 0; i < v->n; i++) {
		const struct ynode *k = v->keys[i], *val = v->items[i];

		if (strncmp(k->value, "net.", 4) != 0 || strstr(k->value, "..") || strchr(k->value, '/') ||
		    strlen(k->value) > 200)
			return yerr(ld->err, k, "sysctl '%s': only net.* keys can be set in a node",
				    k->value);
		if (val->type != Y_SCALAR || val->null)
			return yerr(ld->err, val, "sysctl '%s': expected a value, got %s", k->value,
				    type_name(val));
		if (strpbrk(val->value, "\n"))
			return yerr(ld->err, val, "sysctl '%s': value has a newline", k->value);
		*kv = grow(ld, *kv, *n, sizeof(**kv));
		if (!*kv)
			return nomem(ld);
		(*kv)[*n].key = strdup(k->value);
		(*kv)[*n].value = strdup(val->value);
		(*kv)[*n].pos = POS(k);
		(*n)++;
		if (!(*kv)[*n - 1].key || !(*kv)[*n - 1].value)
			return nomem(ld);
	}
	return 0;
}

/* ---- interfaces ---- */

static int f_if_bridge(struct ld *ld, void *obj, const struct ynode *v)
{
	return get_str(ld, v, "bridge", &((struct nsl_topo_iface *)obj)->bridge);
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
	int r = want(ld, v, Y_SCALAR, "mac");

	if (r < 0)
		return r;
	if (nsl_parse_mac(v->value, i->mac, &e) < 0)
		return yerr(ld->err, v, "mac '%s': %s", v->value, e.msg);
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

static int iface_new(struct ld *ld, struct nsl_topo_node *node, const char *name,
		     struct nsl_topo_pos pos)
{
	struct nsl_topo_iface *i;

	node->ifaces = grow(ld, node->ifaces, node->n_ifaces, sizeof(*i));
	if (!node->ifaces)
		return nomem(ld);
	i = &node->ifaces[node->n_ifaces];
	i->name = strdup(name);
	if (!i->name || node->n_ifaces >= INT32_MAX)
		return nomem(ld);
	i->bridge_idx = i->link_idx = -1;
	i->pos = pos;
	/* Names are unique per node: keys of one mapping, or looked up before a link adds one. */
	if (topo_index_add(&ld->ifaces, (uint64_t)(node - ld->t->nodes), i->name, strlen(i->name),
			   (int)node->n_ifaces, NULL) < 0)
		return nomem(ld);
	return (int)node->n_ifaces++;
}

static int f_node_ifaces(struct ld *ld, void *obj, const struct ynode *v)
{
	struct nsl_topo_node *node = obj;
	int r = v->type == Y_SCALAR && v->null ? 0 : want(ld, v, Y_MAP, "interfaces");

	if (r < 0 || v->type != Y_MAP)
		return r;
	for (size_t k = 0; k < v->n; k++) {
		struct nsl_err e = { 0 };
		const char *name = v->keys[k]->value;

		if (nsl_parse_ifname(name, &e) < 0)
			return yerr(ld->err, v->keys[k], "interface '%s': %s", name, e.msg);
		if (STREQ(name, "lo"))
			return yerr(ld->err, v->keys[k], "interface 'lo' is made by the kernel");
		r = iface_new(ld, node, name, POS(v->keys[k]));
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
		return nomem(ld);
	for (w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (n == ELEMENTSOF(words))
			return yerr(ld->err, s, "route '%s': too many words", s->value);
		words[n++] = w;
	}
	if (n == 0)
		return yerr(ld->err, s, "empty route");
	for (size_t i = 1; i < n; i += 2) {
		if (i + 1 >= n)
			return yerr(ld->err, s, "route '%s': '%s' needs a value", s->value, words[i]);
		if (STREQ(words[i], "via")) {
			if (nsl_parse_addr(words[i + 1], &rt.via, &e) < 0)
				return yerr(ld->err, s, "route '%s': gateway: %s", s->value, e.msg);
			rt.has_via = true;
		} else if (STREQ(words[i], "dev")) {
			if (nsl_parse_ifname(words[i + 1], &e) < 0)
				return yerr(ld->err, s, "route '%s': dev: %s", s->value, e.msg);
			free(dev);
			dev = strdup(words[i + 1]);
			if (!dev)
				return nomem(ld);
		} else if (STREQ(words[i], "metric")) {
			if (nsl_parse_u32(words[i + 1], 0, UINT32_MAX, "metric", &rt.metric, &e) < 0)
				return yerr(ld->err, s, "route '%s': %s", s->value, e.msg);
		} else {
			return yerr(ld->err, s, "route '%s': unknown keyword '%s' (via, dev, metric)",
				    s->value, words[i]);
		}
	}
	if (nsl_parse_route_prefix(words[0], rt.has_via ? rt.via.family : AF_UNSPEC, &rt.dst, &e) < 0)
		return yerr(ld->err, s, "route '%s': %s", s->value, e.msg);
	if (!rt.has_via && !dev)
		return yerr(ld->err, s, "route '%s': needs 'via GATEWAY' or 'dev IF'", s->value);
	if (rt.has_via && rt.via.family != rt.dst.family)
		return yerr(ld->err, s, "route '%s': gateway and destination are of different families",
			    s->value);
	node->routes = grow(ld, node->routes, node->n_routes, sizeof(rt));
	if (!node->routes || !(rt.text = strdup(s->value)))
		return nomem(ld);
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

	return push_str(ld, &node->exec, &node->n_exec, s->value);
}
static int f_node_exec(struct ld *ld, void *obj, const struct ynode *v)
{
	return each_scalar(ld, v, "exec", exec1, obj);
}

static int run_cmd(struct ld *ld, void *obj, const struct ynode *v)
{
	struct nsl_topo_node *node = obj;
	int r = want(ld, v, Y_SEQ, "command");

	if (r < 0)
		return r;
	if (v->n == 0)
		return yerr(ld->err, v, "command: empty");
	for (size_t i = 0; i < v->n; i++) {
		r = want(ld, v->items[i], Y_SCALAR, "command");
		if (r < 0)
			return r;
	}
	/* NULL-terminated from the start: nsl_topo_free() walks it to the NULL. */
	nsl_strv_free(node->run, 0);
	node->run = calloc(v->n + 1, sizeof(char *));
	if (!node->run)
		return nomem(ld);
	for (size_t i = 0; i < v->n; i++)
		if (!(node->run[i] = strdup(v->items[i]->value)))
			return nomem(ld);
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
	return yerr(ld->err, s, "namespace '%s': expected uts, pid, ipc or mount", s->value);
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
	r = want(ld, v, Y_MAP, "run");
	if (r < 0)
		return r;
	r = walk(ld, v, run_fields, obj, "run");
	if (r < 0)
		return r;
	if (!node->run)
		return yerr(ld->err, v, "run: 'command' is required");
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
	return get_str(ld, v, "netns", &((struct nsl_topo_bridge *)obj)->node);
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

struct link_ld {
	struct nsl_topo_link *l;
	const struct ynode *endpoints;
};

static int f_link_endpoints(struct ld *ld, void *obj, const struct ynode *v)
{
	struct link_ld *x = obj;
	int r = want(ld, v, Y_SEQ, "endpoints");

	if (r < 0)
		return r;
	if (v->n != 2)
		return yerr(ld->err, v, "endpoints: a link joins exactly 2 interfaces, got %zu", v->n);
	for (size_t i = 0; i < 2; i++) {
		r = want(ld, v->items[i], Y_SCALAR, "endpoint");
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
	int r = get_str(ld, v, "rate", &l->rate_text);

	if (r < 0)
		return r;
	if (nsl_parse_rate(l->rate_text, &l->rate, &e) < 0)
		return yerr(ld->err, v, "rate '%s': %s", v->value, e.msg);
	return 0;
}
static int f_link_netem(struct ld *ld, void *obj, const struct ynode *v)
{
	struct nsl_topo_link *l = ((struct link_ld *)obj)->l;
	int r = want(ld, v, Y_SCALAR, "delay/loss");

	if (r < 0)
		return r;
	if (!l->has_netem)
		l->netem_pos = POS(v);
	l->has_netem = true;
	return 0;
}

static const struct field link_fields[] = {
	{ "endpoints", f_link_endpoints },
	{ "mtu", f_link_mtu },
	{ "rate", f_link_rate },
	{ "delay", f_link_netem },
	{ "loss", f_link_netem },
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
	int r = want(ld, v, Y_SCALAR, "from");

	if (r == 0)
		e->from = v;
	return r;
}
static int f_exp_to(struct ld *ld, void *obj, const struct ynode *v)
{
	return get_str(ld, v, "to", &((struct expect_ld *)obj)->x->to);
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

struct top_ld {
	const struct ynode *name, *prefix, *nodes, *bridges, *links, *expect, *defaults;
};

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

/* ---- derived names ---- */

uint32_t topo_hash(const char *s)
{
	return (uint32_t)nsl_hash64("nslab-topo\n", s, 0);
}

void topo_derive_ifname(const char *const *parts, size_t n, char out[16])
{
	char full[256] = "";
	size_t len = 0;

	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(full + len, sizeof(full) - len, "%s%s", i ? "-" : "", parts[i]);
	if (len <= 15) {
		memcpy(out, full, len + 1);
		return;
	}
	/* Never truncate silently: a readable head and a hash of the whole logical name. */
	snprintf(out, 16, "%.9s-%05x", full, topo_hash(full) & 0xfffff);
}

/* ---- validation ---- */

static int find_node(const struct ld *ld, const char *name)
{
	return topo_index_find(&ld->nodes, 0, name, strlen(name));
}

static int find_iface(const struct ld *ld, size_t node, const char *name)
{
	return topo_index_find(&ld->ifaces, node, name, strlen(name));
}

/* The value of @key in the mapping @map, or NULL. Only for error positions: it scans. */
static const struct ynode *ymap_get(const struct ynode *map, const char *key)
{
	if (!map || map->type != Y_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (STREQ(map->keys[i]->value, key))
			return map->items[i];
	return NULL;
}

/* Where interface @i of node @ni states its mtu (the interface's own position if it does not). */
static struct nsl_topo_pos mtu_pos(const struct ld *ld, size_t ni, const struct nsl_topo_iface *i)
{
	const struct ynode *node = ld->nodes_y && ni < ld->nodes_y->n ? ld->nodes_y->items[ni] : NULL;
	const struct ynode *m = ymap_get(ymap_get(ymap_get(node, "interfaces"), i->name), "mtu");

	return m ? POS(m) : i->pos;
}

static int at(struct ld *ld, struct nsl_topo_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int at(struct ld *ld, struct nsl_topo_pos pos, const char *fmt, ...)
{
	struct ynode n = { .line = pos.line, .column = pos.column };
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return yerr(ld->err, &n, "%s", msg);
}

static int load_links(struct ld *ld, const struct ynode *v)
{
	struct nsl_topo *t = ld->t;
	int r = v->type == Y_SCALAR && v->null ? 0 : want(ld, v, Y_SEQ, "links");

	if (r < 0 || v->type != Y_SEQ)
		return r;
	for (size_t k = 0; k < v->n; k++) {
		struct link_ld x = { 0 };

		t->links = grow(ld, t->links, t->n_links, sizeof(*t->links));
		if (!t->links)
			return nomem(ld);
		x.l = &t->links[t->n_links++];
		x.l->pos = POS(v->items[k]);
		r = want(ld, v->items[k], Y_MAP, "link");
		if (r < 0)
			return r;
		r = walk(ld, v->items[k], link_fields, &x, "link");
		if (r < 0)
			return r;
		if (!x.endpoints)
			return yerr(ld->err, v->items[k], "link: 'endpoints' is required");
		for (size_t e = 0; e < 2; e++) {
			const struct ynode *s = x.endpoints->items[e];
			_cleanup_free_ char *node = strdup(s->value);
			char *colon = node ? strchr(node, ':') : NULL;
			struct nsl_err pe = { 0 };
			int ni, ii;

			if (!node)
				return nomem(ld);
			if (!colon)
				return yerr(ld->err, s, "endpoint '%s': expected NODE:INTERFACE", s->value);
			*colon = '\0';
			ni = find_node(ld, node);
			if (ni < 0)
				return yerr(ld->err, s, "endpoint '%s': no node '%s'", s->value, node);
			if (nsl_parse_ifname(colon + 1, &pe) < 0 || STREQ(colon + 1, "lo"))
				return yerr(ld->err, s, "endpoint '%s': interface: %s", s->value,
					    pe.msg[0] ? pe.msg : "'lo' cannot be linked");
			ii = find_iface(ld, (size_t)ni, colon + 1);
			if (ii < 0) {
				ii = iface_new(ld, &t->nodes[ni], colon + 1, POS(s));
				if (ii < 0)
					return ii;
			}
			if (t->nodes[ni].ifaces[ii].link_idx >= 0 || t->nodes[ni].ifaces[ii].bridge)
				return yerr(ld->err, s, "interface '%s' is used twice (%s)", s->value,
					    t->nodes[ni].ifaces[ii].bridge ? "it is on a bridge"
									   : "it is in another link");
			t->nodes[ni].ifaces[ii].link_idx = (int)k;
			x.l->ep[e].node = ni;
			x.l->ep[e].iface = ii;
		}
	}
	return 0;
}

/*
 * Counting sort: *@ret_order lists 0..@n-1 grouped by @key[i] (in 0..@m-1), in their order
 * within a group; group g is order[start[g]] .. order[start[g + 1] - 1]. Linear, so that
 * "the ports of each bridge" never means a pass over all interfaces per bridge.
 */
static int group_by(struct ld *ld, const int *key, size_t n, size_t m, int **ret_order,
		    size_t **ret_start)
{
	_cleanup_free_ size_t *start = calloc(m + 2, sizeof(*start));
	_cleanup_free_ int *order = malloc((n ? n : 1) * sizeof(*order));

	if (!start || !order)
		return nomem(ld);
	for (size_t i = 0; i < n; i++)
		start[key[i] + 2]++;
	for (size_t g = 2; g < m + 2; g++)
		start[g] += start[g - 1];
	/* start[g + 1] is now where group g begins: fill it, moving it to group g + 1's start. */
	for (size_t i = 0; i < n; i++)
		order[start[key[i] + 1]++] = (int)i;
	*ret_order = TAKE_PTR(order);
	*ret_start = TAKE_PTR(start);
	return 0;
}

struct port {
	int node, iface;
};

/* Every bridge port, in node order, grouped by its bridge (@by_netns: by its bridge's netns,
 * 0 for the root netns, node + 1 for a bridge inside a node). */
static int group_ports(struct ld *ld, bool by_netns, struct port **ret_v, int **ret_order,
		       size_t **ret_start)
{
	const struct nsl_topo *t = ld->t;
	_cleanup_free_ struct port *v = NULL;
	_cleanup_free_ int *key = NULL;
	size_t n = 0, cap = 0;
	int r;

	for (size_t ni = 0; ni < t->n_nodes; ni++)
		for (size_t ii = 0; ii < t->nodes[ni].n_ifaces; ii++) {
			int b = t->nodes[ni].ifaces[ii].bridge_idx;

			if (b < 0)
				continue;
			if (!GREEDY_REALLOC(v, cap, n + 1))
				return nomem(ld);
			v[n++] = (struct port){ (int)ni, (int)ii };
		}
	key = malloc((n ? n : 1) * sizeof(*key));
	if (!key)
		return nomem(ld);
	for (size_t i = 0; i < n; i++) {
		int b = t->nodes[v[i].node].ifaces[v[i].iface].bridge_idx;

		key[i] = by_netns ? t->bridges[b].node_idx + 1 : b;
	}
	r = group_by(ld, key, n, by_netns ? t->n_nodes + 1 : t->n_bridges, ret_order, ret_start);
	if (r < 0)
		return r;
	*ret_v = TAKE_PTR(v);
	return 0;
}

static const struct nsl_topo_iface *port_iface(const struct nsl_topo *t, const struct port *p)
{
	return &t->nodes[p->node].ifaces[p->iface];
}

/* Two equal addresses on one segment (bridge or link) never work: refuse them. */
static int seg_add(struct ld *ld, struct topo_index *seen, size_t seg, const struct nsl_prefix *p,
		   struct nsl_topo_pos pos)
{
	int line = 0;
	int r = topo_index_add(seen, (uint64_t)seg << 1 | (p->family == AF_INET6), p->addr,
			       p->family == AF_INET ? 4 : 16, (int)pos.line, &line);
	char a[64];

	if (r < 0)
		return nomem(ld);
	if (r == 0)
		return at(ld, pos, "address %s is used twice on one segment (also at line %d)",
			  nsl_prefix_str(p, false, a, sizeof(a)), line);
	return 0;
}

static int validate_segments(struct ld *ld)
{
	struct nsl_topo *t = ld->t;
	_cleanup_(topo_index_done) struct topo_index seen = { 0 };
	_cleanup_free_ struct port *ports = NULL;
	_cleanup_free_ int *order = NULL;
	_cleanup_free_ size_t *start = NULL;
	int r;

	r = group_ports(ld, false, &ports, &order, &start);
	if (r < 0)
		return r;
	for (size_t b = 0; b < t->n_bridges; b++) {
		for (size_t a = 0; a < t->bridges[b].n_addrs; a++) {
			r = seg_add(ld, &seen, b, &t->bridges[b].addrs[a], t->bridges[b].pos);
			if (r < 0)
				return r;
		}
		for (size_t k = start[b]; k < start[b + 1]; k++) {
			const struct nsl_topo_iface *i = port_iface(t, &ports[order[k]]);

			for (size_t a = 0; a < i->n_addrs; a++) {
				r = seg_add(ld, &seen, b, &i->addrs[a], i->pos);
				if (r < 0)
					return r;
			}
		}
	}
	for (size_t l = 0; l < t->n_links; l++)
		for (int e = 0; e < 2; e++) {
			const struct nsl_topo_iface *i =
				&t->nodes[t->links[l].ep[e].node].ifaces[t->links[l].ep[e].iface];

			for (size_t a = 0; a < i->n_addrs; a++) {
				r = seg_add(ld, &seen, t->n_bridges + l, &i->addrs[a], i->pos);
				if (r < 0)
					return r;
			}
		}
	return 0;
}

static bool is_link_local6(const struct nsl_prefix *p)
{
	return p->family == AF_INET6 && p->addr[0] == 0xfe && (p->addr[1] & 0xc0) == 0x80;
}

/*
 * What validate_node() looks up, for all nodes (the scope holds the node): each address, and
 * each connected network under its interface and under "any interface" (-1), masked, so that
 * a gateway is checked against every prefix length the node has instead of every address.
 */
struct node_ix {
	struct topo_index addrs, nets;
	struct nsl_prefix *net; /* the masked networks: the keys of @nets */
	size_t n_net;
};

static uint64_t net_scope(size_t node, int iface, const struct nsl_prefix *p)
{
	return (uint64_t)node << 32 | (uint64_t)(uint32_t)(iface + 1) << 9 |
	       (uint64_t)(p->family == AF_INET6) << 8 | p->len;
}

static size_t addr_bytes(const struct nsl_prefix *p)
{
	return p->family == AF_INET ? 4 : 16;
}

static int add_nets(struct ld *ld, struct node_ix *x, size_t ni, uint8_t lens[2][129])
{
	const struct nsl_topo_node *node = &ld->t->nodes[ni];

	for (size_t i = 0; i < node->n_ifaces; i++)
		for (size_t a = 0; a < node->ifaces[i].n_addrs; a++) {
			struct nsl_prefix *n = &x->net[x->n_net++];

			*n = node->ifaces[i].addrs[a];
			nsl_prefix_mask(n);
			lens[n->family == AF_INET6][n->len] = 1;
			if (topo_index_add(&x->nets, net_scope(ni, -1, n), n->addr, addr_bytes(n), 0, NULL) < 0 ||
			    topo_index_add(&x->nets, net_scope(ni, (int)i, n), n->addr, addr_bytes(n), 0, NULL) < 0)
				return nomem(ld);
		}
	return 0;
}

/* Is @via inside a network of interface @iface (-1: any) of node @ni? */
static bool gateway_connected(const struct node_ix *x, size_t ni, int iface, const struct nsl_prefix *via,
			      uint8_t lens[2][129])
{
	bool v6 = via->family == AF_INET6;

	for (unsigned len = 0; len <= (v6 ? 128u : 32u); len++) {
		struct nsl_prefix m = *via;

		if (!lens[v6][len])
			continue;
		m.len = (uint8_t)len;
		nsl_prefix_mask(&m);
		if (topo_index_find(&x->nets, net_scope(ni, iface, &m), m.addr, addr_bytes(&m)) >= 0)
			return true;
	}
	return false;
}

static int validate_routes(struct ld *ld, struct node_ix *x, size_t ni)
{
	struct nsl_topo_node *node = &ld->t->nodes[ni];
	uint8_t lens[2][129] = { { 0 } };
	bool nets = false;

	for (size_t r = 0; r < node->n_routes; r++) {
		const struct nsl_topo_route *rt = &node->routes[r];
		int dev = -1;

		if (rt->dev) {
			dev = find_iface(ld, ni, rt->dev);
			if (dev < 0)
				return at(ld, rt->pos, "route '%s': node '%s' has no interface '%s'", rt->text,
					  node->name, rt->dev);
		}
		if (rt->dst.family == AF_INET6)
			node->has_ipv6 = true;
		if (!rt->has_via || (is_link_local6(&rt->via) && rt->dev))
			continue;
		if (!nets) {
			int k = add_nets(ld, x, ni, lens);

			if (k < 0)
				return k;
			nets = true;
		}
		if (!gateway_connected(x, ni, dev, &rt->via, lens)) {
			char g[64];
			return at(ld, rt->pos, "route '%s': gateway %s is outside every connected prefix of node '%s'",
				  rt->text, nsl_prefix_str(&rt->via, false, g, sizeof(g)), node->name);
		}
	}
	return 0;
}

/* The MTU an interface gets: its own, or for a link end the link's rule (apply.c: the link's
 * mtu, else the first end's, else the second's). 0: the kernel's default. */
static uint32_t iface_mtu(const struct nsl_topo *t, const struct nsl_topo_iface *i)
{
	const struct nsl_topo_link *l;

	if (i->link_idx < 0)
		return i->mtu;
	l = &t->links[i->link_idx];
	if (l->mtu)
		return l->mtu;
	if (t->nodes[l->ep[0].node].ifaces[l->ep[0].iface].mtu)
		return t->nodes[l->ep[0].node].ifaces[l->ep[0].iface].mtu;
	return t->nodes[l->ep[1].node].ifaces[l->ep[1].iface].mtu;
}

static int validate_node(struct ld *ld, struct node_ix *x, size_t ni)
{
	struct nsl_topo_node *node = &ld->t->nodes[ni];

	for (size_t i = 0; i < node->n_ifaces; i++) {
		struct nsl_topo_iface *ifc = &node->ifaces[i];
		bool v6 = false;
		uint32_t mtu;

		if (ifc->bridge_idx < 0 && ifc->link_idx < 0)
			return at(ld, ifc->pos,
				  "interface '%s:%s' is not connected (give it a bridge or put it in a link)",
				  node->name, ifc->name);
		for (size_t a = 0; a < ifc->n_addrs; a++) {
			const struct nsl_prefix *p = &ifc->addrs[a];
			int first = -1;

			if (p->family == AF_INET6)
				node->has_ipv6 = v6 = true;
			/* The same prefix on two interfaces of a node (twice on one interface is
			 * the segment check's). */
			if (topo_index_add(&x->addrs, (uint64_t)ni << 32 | (uint32_t)p->family, &p->len,
					   sizeof(p->len) + sizeof(p->addr), (int)i, &first) < 0)
				return nomem(ld);
			if (first >= 0 && first != (int)i)
				return at(ld, ifc->pos, "address given twice in node '%s'", node->name);
		}
		/* The kernel takes IPv6 off a device whose MTU is below the IPv6 minimum. */
		mtu = iface_mtu(ld->t, ifc);
		if (v6 && mtu && mtu < 1280)
			return at(ld, ifc->pos, "interface '%s:%s' has IPv6 addresses: its mtu %u is below 1280",
				  node->name, ifc->name, mtu);
	}
	return validate_routes(ld, x, ni);
}

static int merge_defaults(struct ld *ld, size_t ni);

static int validate_nodes(struct ld *ld)
{
	struct nsl_topo *t = ld->t;
	struct node_ix x = { 0 };
	size_t n_addrs = 0;
	int r = 0;

	for (size_t ni = 0; ni < t->n_nodes; ni++)
		for (size_t i = 0; i < t->nodes[ni].n_ifaces; i++)
			n_addrs += t->nodes[ni].ifaces[i].n_addrs;
	/* Filled in place, never moved: the index keeps pointers into it. */
	x.net = malloc((n_addrs ? n_addrs : 1) * sizeof(*x.net));
	if (!x.net)
		r = nomem(ld);
	for (size_t ni = 0; r == 0 && ni < t->n_nodes; ni++) {
		r = validate_node(ld, &x, ni);
		if (r == 0)
			r = merge_defaults(ld, ni);
	}
	topo_index_done(&x.addrs);
	topo_index_done(&x.nets);
	free(x.net);
	return r;
}

static int validate_bridges(struct ld *ld)
{
	for (size_t b = 0; b < ld->t->n_bridges; b++) {
		const struct nsl_topo_bridge *br = &ld->t->bridges[b];

		for (size_t a = 0; a < br->n_addrs; a++)
			if (br->mtu && br->mtu < 1280 && br->addrs[a].family == AF_INET6)
				return at(ld, br->pos, "bridge '%s' has IPv6 addresses: its mtu %u is below 1280",
					  br->name, br->mtu);
	}
	return 0;
}

/* One MTU per link: the two ends of a veth pair made by apply.c share one. */
static int validate_link_mtus(struct ld *ld)
{
	const struct nsl_topo *t = ld->t;

	for (size_t l = 0; l < t->n_links; l++) {
		const struct nsl_topo_link *lk = &t->links[l];
		const struct nsl_topo_iface *e[2];
		uint32_t want = lk->mtu;

		for (int k = 0; k < 2; k++)
			e[k] = &t->nodes[lk->ep[k].node].ifaces[lk->ep[k].iface];
		for (int k = 0; k < 2; k++) {
			if (!e[k]->mtu)
				continue;
			if (!want) {
				want = e[k]->mtu;
				continue;
			}
			if (e[k]->mtu != want)
				return at(ld, mtu_pos(ld, (size_t)lk->ep[k].node, e[k]),
					  "interface '%s:%s': mtu %u differs from the mtu %u of its link (both ends of a link have one mtu)",
					  t->nodes[lk->ep[k].node].name, e[k]->name, e[k]->mtu, want);
		}
	}
	return 0;
}

/* Names in one netns (@netns: -1 for the root, else a node): interfaces, bridges and bridge
 * ports must not collide. */
static int name_add(struct ld *ld, struct topo_index *seen, int netns, const char *name,
		    struct nsl_topo_pos pos)
{
	int line = 0, r = topo_index_add(seen, (uint64_t)(netns + 1), name, strlen(name), (int)pos.line, &line);

	if (r < 0)
		return nomem(ld);
	if (r == 0)
		return at(ld, pos, "interface name '%s' in %s collides with the one from line %d", name,
			  netns < 0 ? "the root netns" : ld->t->nodes[netns].name, line);
	return 0;
}

/* The bridges and the bridge ends of the ports in netns @g (0: root, node + 1). */
static int names_bridges(struct ld *ld, struct topo_index *seen, size_t g, const int *br_order,
			 const size_t *br_start, const struct port *ports, const int *order,
			 const size_t *start)
{
	const struct nsl_topo *t = ld->t;
	int r;

	for (size_t k = br_start[g]; k < br_start[g + 1]; k++) {
		const struct nsl_topo_bridge *b = &t->bridges[br_order[k]];

		r = name_add(ld, seen, (int)g - 1, b->ifname, b->pos);
		if (r < 0)
			return r;
	}
	for (size_t k = start[g]; k < start[g + 1]; k++) {
		const struct nsl_topo_iface *i = port_iface(t, &ports[order[k]]);

		r = name_add(ld, seen, (int)g - 1, i->host, i->pos);
		if (r < 0)
			return r;
	}
	return 0;
}

static int validate_names(struct ld *ld)
{
	struct nsl_topo *t = ld->t;
	_cleanup_(topo_index_done) struct topo_index seen = { 0 };
	_cleanup_free_ struct port *ports = NULL;
	_cleanup_free_ int *order = NULL, *br_key = NULL, *br_order = NULL;
	_cleanup_free_ size_t *start = NULL, *br_start = NULL;
	int r;

	r = group_ports(ld, true, &ports, &order, &start);
	if (r < 0)
		return r;
	br_key = malloc((t->n_bridges + 1) * sizeof(*br_key));
	if (!br_key)
		return nomem(ld);
	for (size_t b = 0; b < t->n_bridges; b++)
		br_key[b] = t->bridges[b].node_idx + 1;
	r = group_by(ld, br_key, t->n_bridges, t->n_nodes + 1, &br_order, &br_start);
	if (r < 0)
		return r;
	/* The root netns: bridges and the bridge side of their ports, all derived names. */
	r = names_bridges(ld, &seen, 0, br_order, br_start, ports, order, start);
	for (size_t ni = 0; r == 0 && ni < t->n_nodes; ni++) {
		for (size_t ii = 0; r == 0 && ii < t->nodes[ni].n_ifaces; ii++)
			r = name_add(ld, &seen, (int)ni, t->nodes[ni].ifaces[ii].name, t->nodes[ni].ifaces[ii].pos);
		if (r == 0)
			r = names_bridges(ld, &seen, ni + 1, br_order, br_start, ports, order, start);
	}
	return r;
}

static int resolve_expect(struct ld *ld, struct nsl_topo_expect *x, const struct ynode *to)
{
	struct nsl_topo *t = ld->t;
	struct nsl_err e = { 0 };
	int ni;

	if (nsl_parse_addr(x->to, &x->addr, &e) == 0)
		return 0;
	ni = find_node(ld, x->to);
	if (ni < 0)
		return at(ld, x->pos, "expect: 'to: %s' is neither an address nor a node", x->to);
	if (!ld->first) {
		ld->first = calloc(t->n_nodes, sizeof(*ld->first));
		if (!ld->first)
			return nomem(ld);
	}
	/* A node name means its first address, IPv4 first; looked up once per node. */
	for (int fam = 0; fam < 2 && !ld->first[ni].done && !ld->first[ni].found; fam++)
		for (size_t i = 0; i < t->nodes[ni].n_ifaces && !ld->first[ni].found; i++)
			for (size_t a = 0; a < t->nodes[ni].ifaces[i].n_addrs; a++) {
				const struct nsl_prefix *p = &t->nodes[ni].ifaces[i].addrs[a];

				if (p->family == (fam ? AF_INET6 : AF_INET)) {
					ld->first[ni].p = *p;
					ld->first[ni].p.len = p->family == AF_INET ? 32 : 128;
					ld->first[ni].found = true;
					break;
				}
			}
	ld->first[ni].done = true;
	(void)to;
	if (!ld->first[ni].found)
		return at(ld, x->pos, "expect: node '%s' has no address", x->to);
	x->addr = ld->first[ni].p;
	return 0;
}

static int load_name(struct ld *ld, const struct ynode *root, const struct top_ld *top)
{
	struct nsl_topo *t = ld->t;
	struct nsl_err e = { 0 };
	int r;

	if (!top->name)
		return yerr(ld->err, root, "'name' is required");
	r = get_str(ld, top->name, "name", &t->name);
	if (r < 0)
		return r;
	if (nsl_parse_labname(t->name, &e) < 0)
		return yerr(ld->err, top->name, "lab name '%s': %s", t->name, e.msg);
	if (top->prefix && top->prefix->type != Y_SCALAR)
		return yerr(ld->err, top->prefix, "prefix: expected a string, got %s", type_name(top->prefix));
	t->prefix = strdup(top->prefix && !top->prefix->null ? top->prefix->value : "");
	return t->prefix ? 0 : nomem(ld);
}

static int load_nodes(struct ld *ld, const struct ynode *root, const struct ynode *v)
{
	struct nsl_topo *t = ld->t;
	struct nsl_err e = { 0 };
	int r;

	if (!v)
		return yerr(ld->err, root, "'nodes' is required");
	r = want(ld, v, Y_MAP, "nodes");
	if (r < 0)
		return r;
	if (v->n == 0)
		return yerr(ld->err, v, "nodes: a lab needs at least one node");
	if (v->n > INT32_MAX)
		return yerr(ld->err, v, "nodes: too many");
	t->nodes = calloc(v->n, sizeof(*t->nodes));
	if (!t->nodes)
		return nomem(ld);
	ld->nodes_y = v;
	for (size_t k = 0; k < v->n; k++) {
		struct nsl_topo_node *node = &t->nodes[t->n_nodes++];
		const struct ynode *key = v->keys[k];
		char netns[256];

		node->pos = POS(key);
		if (nsl_parse_nsname(key->value, &e) < 0)
			return yerr(ld->err, key, "node name '%s': %s", key->value, e.msg);
		snprintf(netns, sizeof(netns), "%s%s", t->prefix, key->value);
		if (nsl_parse_nsname(netns, &e) < 0)
			return yerr(ld->err, key, "netns name '%s': %s", netns, e.msg);
		node->name = strdup(key->value);
		node->netns = strdup(netns);
		if (!node->name || !node->netns)
			return nomem(ld);
		/* Unique: keys of one mapping. Netns names too, then: one prefix for all. */
		if (topo_index_add(&ld->nodes, 0, node->name, strlen(node->name), (int)k, NULL) < 0)
			return nomem(ld);
		r = walk(ld, v->items[k], node_fields, node, "node");
		if (r < 0)
			return r;
	}
	return 0;
}

static int load_bridges(struct ld *ld, const struct ynode *v)
{
	struct nsl_topo *t = ld->t;
	struct nsl_err e = { 0 };
	int r;

	if (!v || (v->type == Y_SCALAR && v->null))
		return 0;
	r = want(ld, v, Y_MAP, "bridges");
	if (r < 0)
		return r;
	if (v->n > INT32_MAX)
		return yerr(ld->err, v, "bridges: too many");
	t->bridges = calloc(v->n + 1, sizeof(*t->bridges));
	if (!t->bridges)
		return nomem(ld);
	for (size_t k = 0; k < v->n; k++) {
		struct nsl_topo_bridge *b = &t->bridges[t->n_bridges++];
		const struct ynode *key = v->keys[k];

		b->pos = POS(key);
		b->node_idx = -1;
		if (nsl_parse_ifname(key->value, &e) < 0)
			return yerr(ld->err, key, "bridge name '%s': %s", key->value, e.msg);
		b->name = strdup(key->value);
		if (!b->name || topo_index_add(&ld->bridges, 0, b->name, strlen(b->name), (int)k, NULL) < 0)
			return nomem(ld);
		r = walk(ld, v->items[k], bridge_fields, b, "bridge");
		if (r < 0)
			return r;
		if (b->node) {
			b->node_idx = find_node(ld, b->node);
			if (b->node_idx < 0)
				return yerr(ld->err, key, "bridge '%s': no node '%s' for its netns", b->name,
					    b->node);
			snprintf(b->ifname, sizeof(b->ifname), "%s", b->name);
		} else {
			const char *parts[] = { t->name, b->name };

			topo_derive_ifname(parts, 2, b->ifname);
		}
		snprintf(b->altname, sizeof(b->altname), "%s.%s", t->name, b->name);
	}
	return 0;
}

/*
 * A port and its bridge have one MTU. The kernel lowers a bridge's MTU to its smallest port's
 * (br_mtu_auto_adjust(), since v4.17 only while the bridge's own MTU was never set by hand; a
 * bridge made with an MTU is adjusted anyway when a smaller port joins), so a bridge stated at
 * 9000 ends at 1500 once a default port joins: a port without an mtu takes the bridge's, and
 * one that states another is an error.
 */
static int port_mtu(struct ld *ld, size_t ni, struct nsl_topo_iface *i)
{
	const struct nsl_topo_bridge *b = &ld->t->bridges[i->bridge_idx];

	if (!b->mtu || i->mtu == b->mtu)
		return 0;
	if (!i->mtu) {
		i->mtu = b->mtu;
		return 0;
	}
	return at(ld, mtu_pos(ld, ni, i),
		  "interface '%s:%s': mtu %u differs from the mtu %u of its bridge '%s' (a bridge takes its smallest port's mtu)",
		  ld->t->nodes[ni].name, i->name, i->mtu, b->mtu, b->name);
}

/* Each interface on a bridge: find the bridge, derive the name of the bridge's end. */
static int resolve_ports(struct ld *ld)
{
	struct nsl_topo *t = ld->t;

	for (size_t ni = 0; ni < t->n_nodes; ni++)
		for (size_t ii = 0; ii < t->nodes[ni].n_ifaces; ii++) {
			struct nsl_topo_iface *i = &t->nodes[ni].ifaces[ii];
			const char *parts[] = { t->name, t->nodes[ni].name, i->name };
			int r;

			if (!i->bridge)
				continue;
			i->bridge_idx = topo_index_find(&ld->bridges, 0, i->bridge, strlen(i->bridge));
			if (i->bridge_idx < 0)
				return at(ld, i->pos, "interface '%s:%s': no bridge '%s'", t->nodes[ni].name,
					  i->name, i->bridge);
			r = port_mtu(ld, ni, i);
			if (r < 0)
				return r;
			topo_derive_ifname(parts, 3, i->host);
			snprintf(i->altname, sizeof(i->altname), "%s.%s.%s", t->name, t->nodes[ni].name,
				 i->name);
		}
	return 0;
}

static int copy_strv(struct ld *ld, char ***v, size_t *n, char *const *src, size_t n_src)
{
	for (size_t i = 0; i < n_src; i++)
		if (push_str(ld, v, n, src[i]) < 0)
			return nomem(ld);
	return 0;
}

/* `defaults`: dns for nodes without their own, sysctls for keys a node does not set. */
static int merge_defaults(struct ld *ld, size_t ni)
{
	struct nsl_topo_node *node = &ld->t->nodes[ni];
	const struct nsl_topo_dns *dd = ld->def_dns;
	size_t n_own = node->n_sysctls;

	if (!node->dns && dd) {
		struct nsl_topo_dns *d = calloc(1, sizeof(*d));

		if (!d)
			return nomem(ld);
		node->dns = d;
		d->nameservers = malloc(sizeof(struct nsl_prefix) * dd->n_nameservers);
		if (!d->nameservers)
			return nomem(ld);
		memcpy(d->nameservers, dd->nameservers, sizeof(struct nsl_prefix) * dd->n_nameservers);
		d->n_nameservers = dd->n_nameservers;
		if (copy_strv(ld, &d->search, &d->n_search, dd->search, dd->n_search) < 0 ||
		    copy_strv(ld, &d->options, &d->n_options, dd->options, dd->n_options) < 0)
			return nomem(ld);
	}
	if (ld->n_def_sysctls && !ld->def_has) {
		ld->def_has = calloc(ld->n_def_sysctls, sizeof(bool));
		if (!ld->def_has)
			return nomem(ld);
		for (size_t k = 0; k < ld->n_def_sysctls; k++)
			if (topo_index_add(&ld->def_ix, 0, ld->def_sysctls[k].key, strlen(ld->def_sysctls[k].key),
					   (int)k, NULL) < 0)
				return nomem(ld);
	}
	if (ld->def_has)
		memset(ld->def_has, 0, ld->n_def_sysctls * sizeof(bool));
	for (size_t s = 0; s < n_own && ld->def_has; s++) {
		int k = topo_index_find(&ld->def_ix, 0, node->sysctls[s].key, strlen(node->sysctls[s].key));

		if (k >= 0)
			ld->def_has[k] = true;
	}
	for (size_t k = 0; k < ld->n_def_sysctls; k++) {
		const struct nsl_topo_kv *kv = &ld->def_sysctls[k];
		struct nsl_topo_kv *nkv;

		if (ld->def_has[k])
			continue;
		node->sysctls = grow(ld, node->sysctls, node->n_sysctls, sizeof(*node->sysctls));
		if (!node->sysctls)
			return nomem(ld);
		nkv = &node->sysctls[node->n_sysctls++];
		nkv->key = strdup(kv->key);
		nkv->value = strdup(kv->value);
		nkv->pos = kv->pos;
		if (!nkv->key || !nkv->value)
			return nomem(ld);
	}
	return 0;
}

static int load_expects(struct ld *ld, const struct ynode *v)
{
	struct nsl_topo *t = ld->t;
	int r;

	if (!v || (v->type == Y_SCALAR && v->null))
		return 0;
	r = want(ld, v, Y_SEQ, "expect");
	if (r < 0)
		return r;
	for (size_t k = 0; k < v->n; k++) {
		struct expect_ld x = { 0 };

		t->expects = grow(ld, t->expects, t->n_expects, sizeof(*t->expects));
		if (!t->expects)
			return nomem(ld);
		x.x = &t->expects[t->n_expects++];
		x.x->reach = true;
		x.x->timeout_ms = 3000; /* ARP retries once a second: leave room for one lost request */
		x.x->pos = POS(v->items[k]);
		r = want(ld, v->items[k], Y_MAP, "expect");
		if (r < 0)
			return r;
		r = walk(ld, v->items[k], expect_fields, &x, "expect");
		if (r < 0)
			return r;
		if (!x.from || !x.x->to)
			return yerr(ld->err, v->items[k], "expect: 'from' and 'to' are required");
		x.x->from = find_node(ld, x.from->value);
		if (x.x->from < 0)
			return yerr(ld->err, x.from, "expect: no node '%s'", x.from->value);
		r = resolve_expect(ld, x.x, NULL);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The whole file, in the order that lets each part refer to the ones before. */
static int load_top(struct ld *ld, const struct ynode *root)
{
	struct top_ld top = { 0 };
	int r;

	if (root->type != Y_MAP)
		return yerr(ld->err, root, "expected a mapping with 'name' and 'nodes', got %s",
			    type_name(root));
	r = walk(ld, root, top_fields, &top, "the lab");
	if (r == 0)
		r = load_name(ld, root, &top);
	if (r == 0 && top.defaults)
		r = walk(ld, top.defaults, defaults_fields, NULL, "defaults");
	if (r == 0)
		r = load_nodes(ld, root, top.nodes);
	if (r == 0)
		r = load_bridges(ld, top.bridges);
	if (r == 0)
		r = resolve_ports(ld);
	if (r == 0 && top.links)
		r = load_links(ld, top.links);
	if (r == 0)
		r = validate_link_mtus(ld);
	if (r == 0)
		r = validate_bridges(ld);
	if (r == 0)
		r = validate_nodes(ld);
	if (r == 0)
		r = validate_segments(ld);
	if (r == 0)
		r = validate_names(ld);
	if (r == 0)
		r = load_expects(ld, top.expect);
	return r;
}

static void dns_free(struct nsl_topo_dns *d)
{
	if (!d)
		return;
	free(d->nameservers);
	nsl_strv_free(d->search, d->n_search);
	nsl_strv_free(d->options, d->n_options);
	free(d);
}

_public_ void nsl_strv_free(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; n ? i < n : v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

_public_ struct nsl_topo *nsl_topo_free(struct nsl_topo *t)
{
	if (!t)
		return NULL;
	for (size_t i = 0; i < t->n_nodes; i++) {
		struct nsl_topo_node *n = &t->nodes[i];

		for (size_t k = 0; k < n->n_ifaces; k++) {
			free(n->ifaces[k].name);
			free(n->ifaces[k].bridge);
			free(n->ifaces[k].addrs);
		}
		free(n->ifaces);
		for (size_t k = 0; k < n->n_routes; k++) {
			free(n->routes[k].text);
			free(n->routes[k].dev);
		}
		free(n->routes);
		for (size_t k = 0; k < n->n_sysctls; k++) {
			free(n->sysctls[k].key);
			free(n->sysctls[k].value);
		}
		free(n->sysctls);
		dns_free(n->dns);
		nsl_strv_free(n->run, 0);
		nsl_strv_free(n->exec, n->n_exec);
		free(n->name);
		free(n->netns);
	}
	free(t->nodes);
	for (size_t i = 0; i < t->n_bridges; i++) {
		free(t->bridges[i].name);
		free(t->bridges[i].node);
		free(t->bridges[i].addrs);
	}
	free(t->bridges);
	for (size_t i = 0; i < t->n_links; i++)
		free(t->links[i].rate_text);
	free(t->links);
	for (size_t i = 0; i < t->n_expects; i++)
		free(t->expects[i].to);
	free(t->expects);
	free(t->name);
	free(t->prefix);
	free(t->path);
	free(t->text);
	free(t);
	return NULL;
}

static int read_file(const char *path, char **ret, size_t *ret_len, struct nsl_err *err)
{
	/* O_NONBLOCK: opening a FIFO for reading waits for a writer, forever. Nothing but a
	 * regular file is read, and only after fstat() says it is one. */
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t len = 0;
	int fl;

	if (fd < 0)
		return nsl_err_set(err, NSL_E_USAGE, negerrno(), path, NULL);
	if (fstat(fd, &st) < 0)
		return nsl_err_set(err, NSL_E_USAGE, negerrno(), path, NULL);
	if (!S_ISREG(st.st_mode))
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, path, "not a regular file (%s)",
				   S_ISFIFO(st.st_mode)  ? "a FIFO"
				   : S_ISDIR(st.st_mode) ? "a directory"
				   : S_ISCHR(st.st_mode) ? "a character device"
				   : S_ISBLK(st.st_mode) ? "a block device"
				   : S_ISSOCK(st.st_mode) ? "a socket"
							  : "not a file");
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), path, NULL);
	if (st.st_size > (off_t)NSL_TOPO_MAX_SIZE)
		return nsl_err_set(err, NSL_E_USAGE, -EFBIG, path, "file larger than 4 MiB");
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, path, NULL);
	while (len < (size_t)st.st_size) {
		ssize_t k = read(fd, buf + len, (size_t)st.st_size - len);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), path, NULL);
		if (k == 0)
			break;
		len += (size_t)k;
	}
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

_public_ int nsl_topo_load(const char *path, const char *text, size_t len, struct nsl_topo **ret,
			   struct nsl_err *err)
{
	struct nsl_topo *t = calloc(1, sizeof(*t));
	struct ynode *root = NULL;
	struct ld ld = { .t = t, .err = err };
	int r;

	if (!t)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, path, NULL);
	t->path = strdup(path ? path : "-");
	if (!t->path) {
		r = nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, path, NULL);
		goto out;
	}
	if (text) {
		if (len > NSL_TOPO_MAX_SIZE) {
			r = nsl_err_set(err, NSL_E_USAGE, -EFBIG, path, "file larger than 4 MiB");
			goto out;
		}
		t->text = malloc(len + 1);
		if (!t->text) {
			r = nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, path, NULL);
			goto out;
		}
		memcpy(t->text, text, len);
		t->text[len] = '\0';
		t->text_len = len;
	} else {
		r = read_file(path, &t->text, &t->text_len, err);
		if (r < 0)
			goto out;
	}
	r = yaml_load(t->text, t->text_len, &root, err);
	if (r >= 0)
		r = load_top(&ld, root);
	if (r < 0 && err)
		snprintf(err->object, sizeof(err->object), "%s", t->path);
out:
	ynode_free(root);
	topo_index_done(&ld.nodes);
	topo_index_done(&ld.bridges);
	topo_index_done(&ld.ifaces);
	topo_index_done(&ld.def_ix);
	free(ld.first);
	free(ld.def_has);
	dns_free(ld.def_dns);
	if (ld.def_sysctls) {
		for (size_t i = 0; i < ld.n_def_sysctls; i++) {
			free(ld.def_sysctls[i].key);
			free(ld.def_sysctls[i].value);
		}
		free(ld.def_sysctls);
	}
	if (r < 0) {
		nsl_topo_free(t);
		return r;
	}
	*ret = t;
	return 0;
}
