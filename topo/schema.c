// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What each key of a topology file means: the YAML tree is walked with one table of keys per
 * object, a setter for each key (an unknown key is an error at its position). A setter checks
 * its value alone; what needs the rest of the model is validate.c's.
 */
#include <arpa/inet.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>

#include "core.h"
#include "macro.h"
#include "model-internal.h"

/* A key of an object, and the setter that reads its value into @obj. */
struct field {
	const char *key;
	int (*fn)(struct ld *ld, void *obj, const struct ynode *v);
};

/*
 * A node being read. The keys whose meaning depends on others are kept for after the walk and
 * read in an order of their own: `env` before `run` (a process's environment starts with the
 * node's), `binds`, `tmpfs` and `files` in that order (the model lists mounts so, and a target
 * given twice is reported at the later one), `namespaces` last (its default depends on what
 * the node has).
 */
struct node_ld {
	struct nsl_topo_node *node;
	const struct ynode *env, *binds, *tmpfs, *files, *run, *ns, *run_ns, *stop;
	struct topo_index seen; /* scope 0: targets of binds, tmpfs and files; 1: process names */
};

#define NODE(obj) (((struct node_ld *)(obj))->node)

int nsli_nomem(struct ld *ld)
{
	return nsl_err_set(ld->err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
}

/*
 * Room for element @n of @arr, zeroed. Every growing array of the model grows only through
 * here. The model's structs are public and keep no capacity: it follows from the length
 * (greedy_cap(), what GREEDY_REALLOC makes of it from its start of 4; doubling keeps 100,000
 * links linear). Most of these arrays (a node's interfaces, routes, addresses) hold one
 * element: at a start of 16, a lab of 35,000 links took twice the memory (150 MiB, then
 * 319 MiB). Indexes stay valid; pointers into @arr do not.
 */
void *nsli_grow(struct ld *ld, void *arr, size_t n, size_t size)
{
	size_t cap = greedy_cap(n);

	(void)ld;
	if (!greedy_realloc(&arr, &cap, n + 1, size))
		return NULL;
	memset((char *)arr + n * size, 0, size);
	return arr;
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
	struct nsl_topo_node *node = ((struct node_ld *)obj)->node;
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
	return each_scalar(ld, v, "routes", route1, ((struct node_ld *)obj)->node);
}
static int f_node_sysctls(struct ld *ld, void *obj, const struct ynode *v)
{
	struct nsl_topo_node *node = ((struct node_ld *)obj)->node;

	return get_sysctls(ld, v, &node->sysctls, &node->n_sysctls);
}
static int f_node_dns(struct ld *ld, void *obj, const struct ynode *v)
{
	return get_dns(ld, v, &((struct node_ld *)obj)->node->dns);
}


/* ---- nodes that run software (DESIGN §5.2) ---- */


/* strerror() as the rest of a message: "no such file or directory". */
static const char *errno_text(int e, char *buf, size_t size)
{
	snprintf(buf, size, "%s", strerror(e));
	if (buf[0] >= 'A' && buf[0] <= 'Z' && (buf[1] < 'A' || buf[1] > 'Z'))
		buf[0] = (char)(buf[0] - 'A' + 'a');
	return buf;
}

/* The value of variable @name (@len bytes) in @node, or NULL. */
static const char *var_value(struct ld *ld, const struct nsl_topo_node *node, const char *name, size_t len)
{
	if (len == 4 && !strncmp(name, "node", 4))
		return node->name;
	if (len == 3 && !strncmp(name, "lab", 3))
		return ld->t->name;
	return NULL;
}

/*
 * @s (the string value at @v) with ${node} and ${lab} replaced and $${ as a literal ${. Any
 * other ${...} is an error, not text left for a shell to read as one of its own.
 */
static int expand(struct ld *ld, const struct nsl_topo_node *node, const struct ynode *v, const char *s,
		  char **ret)
{
	_cleanup_free_ char *out = NULL;
	size_t n = 0, cap = 0;
	const char *p = s;

	while (*p) {
		const char *add = p, *end;
		size_t len = strcspn(p, "$");

		if (len) { /* text up to the next '$' */
			p += len;
		} else if (p[1] == '$' && p[2] == '{') {
			add = "${";
			len = 2;
			p += 3;
		} else if (p[1] == '{') {
			end = strchr(p + 2, '}');
			if (!end)
				return nsli_yerr(ld->err, v, "'%s': '${' without its '}' (write $${ for a literal ${)", s);
			add = var_value(ld, node, p + 2, (size_t)(end - p - 2));
			if (!add)
				return nsli_yerr(ld->err, v, "'%.*s': unknown variable (want ${node} or ${lab})",
						 (int)(end - p + 1), p);
			len = strlen(add);
			p = end + 1;
		} else { /* a '$' of the shell's */
			len = 1;
			p++;
		}
		if (!GREEDY_REALLOC(out, cap, n + len + 1))
			return nsli_nomem(ld);
		memcpy(out + n, add, len);
		n += len;
		out[n] = '\0';
	}
	free(*ret);
	*ret = out ? TAKE_PTR(out) : strdup("");
	return *ret ? 0 : nsli_nomem(ld);
}

static int get_expanded(struct ld *ld, const struct nsl_topo_node *node, const struct ynode *v, const char *what,
			char **ret)
{
	int r = nsli_want(ld, v, Y_SCALAR, what);

	return r < 0 ? r : expand(ld, node, v, v->value, ret);
}

/*
 * @path (at @v) as a target in a node's view: absolute, no `..`, not `/`, no control
 * character. *@ret: the same path without doubled or trailing slashes and `.` components.
 */
static int norm_target(struct ld *ld, const struct ynode *v, const char *what, const char *path, char **ret)
{
	_cleanup_free_ char *out = malloc(strlen(path) + 1);
	size_t n = 0;

	if (!out)
		return nsli_nomem(ld);
	if (path[0] != '/')
		return nsli_yerr(ld->err, v, "%s '%s': not an absolute path", what, path);
	for (const char *p = path; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return nsli_yerr(ld->err, v, "%s: control character in the path", what);
	for (const char *p = path; *p;) {
		size_t len;

		p += strspn(p, "/");
		len = strcspn(p, "/");
		if (len == 2 && p[0] == '.' && p[1] == '.')
			return nsli_yerr(ld->err, v, "%s '%s': '..' is not allowed", what, path);
		if (len && !(len == 1 && p[0] == '.')) {
			out[n++] = '/';
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
	}
	if (!n)
		return nsli_yerr(ld->err, v, "%s '%s': cannot be / itself", what, path);
	out[n] = '\0';
	*ret = TAKE_PTR(out);
	return 0;
}

/* Each target once in a node: a second mount there would hide the first. */
static int target_add(struct ld *ld, struct node_ld *nl, const struct ynode *v, const char *what,
		      const char *target)
{
	int line = 0, r = nsli_topo_index_add(&nl->seen, 0, target, strlen(target), (int)v->line, &line);

	if (r < 0)
		return nsli_nomem(ld);
	if (r == 0)
		return nsli_yerr(ld->err, v, "%s '%s': node '%s' has that target already (line %d)", what, target,
				 nl->node->name, line);
	return 0;
}

/*
 * A source on the host (@what 'PATH' at @v): absolute, or relative to the lab file's
 * directory; it must exist (a directory when @dir), unless the model is a recorded one.
 */
static int host_path(struct ld *ld, const struct ynode *v, const char *what, const char *path, bool dir,
		     char **ret)
{
	const char *base = ld->t->dir, *rel = path;
	_cleanup_free_ char *abs = NULL;
	struct stat st;
	char e[128];

	if (!*path)
		return nsli_yerr(ld->err, v, "%s: empty path", what);
	for (const char *p = path; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return nsli_yerr(ld->err, v, "%s: control character in the path", what);
	while (rel[0] == '.' && rel[1] == '/')
		rel += 2 + strspn(rel + 2, "/");
	if (path[0] == '/')
		abs = strdup(path);
	else if (!base)
		return nsli_yerr(ld->err, v, "%s '%s': relative, and the current directory is unknown", what, path);
	else if (STREQ(rel, ".") || !*rel)
		abs = strdup(base);
	else if (asprintf(&abs, "%s%s%s", base, STREQ(base, "/") ? "" : "/", rel) < 0)
		abs = NULL;
	if (!abs)
		return nsli_nomem(ld);
	if (!ld->no_fs_checks) {
		if (stat(abs, &st) < 0)
			return nsli_yerr(ld->err, v, "%s '%s': %s", what, path, errno_text(errno, e, sizeof(e)));
		if (dir && !S_ISDIR(st.st_mode))
			return nsli_yerr(ld->err, v, "%s '%s': not a directory", what, path);
	}
	*ret = TAKE_PTR(abs);
	return 0;
}

/* ---- owners and modes ---- */

static bool all_digits(const char *s)
{
	return *s && s[strspn(s, "0123456789")] == '\0';
}

/* A decimal id below (uint32_t)-1, which means "no id" to chown() and setresuid(). */
static bool parse_id(const char *s, uint32_t *ret)
{
	struct nsl_err e = { 0 };

	return all_digits(s) && nsl_parse_u32(s, 0, UINT32_MAX - 1, "id", ret, &e) == 0;
}

/* User @name (or a uid): its uid and its primary group (for a uid without an entry: the same number). */
static int user_ids(struct ld *ld, const struct ynode *v, const char *name, uint32_t *uid, uint32_t *gid)
{
	struct passwd pw, *res = NULL;
	_cleanup_free_ char *buf = NULL;
	bool num = all_digits(name);
	size_t size = 1024;
	int e;

	if (num && !parse_id(name, uid))
		return nsli_yerr(ld->err, v, "user '%s': not a valid uid", name);
	do {
		char *b = realloc(buf, size *= 2);

		if (!b)
			return nsli_nomem(ld);
		buf = b;
		e = num ? getpwuid_r((uid_t)*uid, &pw, buf, size, &res) : getpwnam_r(name, &pw, buf, size, &res);
	} while (e == ERANGE && size < (1u << 20));
	if (num) {
		*gid = res ? (uint32_t)pw.pw_gid : *uid;
		return 0;
	}
	if (!res)
		return nsli_yerr(ld->err, v, "user '%s': no such user", name);
	*uid = (uint32_t)pw.pw_uid;
	*gid = (uint32_t)pw.pw_gid;
	return 0;
}

static int group_id(struct ld *ld, const struct ynode *v, const char *name, uint32_t *gid)
{
	struct group gr, *res = NULL;
	_cleanup_free_ char *buf = NULL;
	size_t size = 1024;
	int e;

	if (all_digits(name))
		return parse_id(name, gid) ? 0 : nsli_yerr(ld->err, v, "group '%s': not a valid gid", name);
	do {
		char *b = realloc(buf, size *= 2);

		if (!b)
			return nsli_nomem(ld);
		buf = b;
		e = getgrnam_r(name, &gr, buf, size, &res);
	} while (e == ERANGE && size < (1u << 20));
	if (!res)
		return nsli_yerr(ld->err, v, "group '%s': no such group", name);
	*gid = (uint32_t)gr.gr_gid;
	return 0;
}

/*
 * "user[:group]" or "uid[:gid]" at @v (@what names it): the ids. Each text is looked up once
 * per load, however many nodes give it.
 */
static int get_owner(struct ld *ld, const struct ynode *v, const char *what, uint32_t *uid, uint32_t *gid)
{
	_cleanup_free_ char *user = NULL;
	struct owner_cache *c;
	char *colon;
	int k, r = nsli_want(ld, v, Y_SCALAR, what);

	if (r < 0)
		return r;
	k = nsli_topo_index_find(&ld->owners_ix, 0, v->value, strlen(v->value));
	if (k < 0) {
		if (!(user = strdup(v->value)))
			return nsli_nomem(ld);
		colon = strchr(user, ':');
		if (colon)
			*colon++ = '\0';
		if (!*user || (colon && !*colon))
			return nsli_yerr(ld->err, v, "%s '%s': expected USER[:GROUP] or UID[:GID]", what, v->value);
		if (!GREEDY_REALLOC(ld->owners, ld->cap_owners, ld->n_owners + 1) || ld->n_owners >= INT32_MAX)
			return nsli_nomem(ld);
		c = &ld->owners[ld->n_owners];
		r = user_ids(ld, v, user, &c->uid, &c->gid);
		if (r == 0 && colon)
			r = group_id(ld, v, colon, &c->gid);
		if (r < 0)
			return r;
		if (!(c->text = strdup(v->value)))
			return nsli_nomem(ld);
		k = (int)ld->n_owners++;
		if (nsli_topo_index_add(&ld->owners_ix, 0, c->text, strlen(c->text), k, NULL) < 0)
			return nsli_nomem(ld);
	}
	*uid = ld->owners[k].uid;
	*gid = ld->owners[k].gid;
	return 0;
}

/* A mode: octal digits, quoted or not ("0755", 0755, 755), at most 07777. */
static int get_mode(struct ld *ld, const struct ynode *v, uint32_t *ret)
{
	unsigned long m;
	char *end;
	int r = nsli_want(ld, v, Y_SCALAR, "mode");

	if (r < 0)
		return r;
	errno = 0;
	m = strtoul(v->value, &end, 8);
	if (!*v->value || v->value[strspn(v->value, "01234567")] || errno || m > 07777)
		return nsli_yerr(ld->err, v, "mode '%s': expected an octal mode from 0 to 07777, such as 0755",
				 v->value);
	*ret = (uint32_t)m;
	return 0;
}

/* Seconds with up to three decimals ("0.5", 2) in [@min_ms, @max_ms], as milliseconds. */
static int get_secs(struct ld *ld, const struct ynode *v, const char *what, uint32_t min_ms, uint32_t max_ms,
		    uint32_t *ret)
{
	const char *p = v->value;
	uint64_t ms = 0, scale = 1000;

	if (v->type != Y_SCALAR || v->null || !v->plain)
		return nsli_yerr(ld->err, v, "%s: expected a number, got %s", what,
				 v->type == Y_SCALAR && !v->null ? "a quoted string" : nsli_type_name(v));
	for (; *p >= '0' && *p <= '9' && ms <= max_ms; p++)
		ms = ms * 10 + (uint64_t)(*p - '0') * 1000;
	if (*p == '.' && p > v->value)
		for (p++; *p >= '0' && *p <= '9' && scale > 1; p++)
			ms += (uint64_t)(*p - '0') * (scale /= 10);
	if (p == v->value || *p || ms < min_ms || ms > max_ms)
		return nsli_yerr(ld->err, v, "%s '%s': expected seconds from %g to %g, to the millisecond", what,
				 v->value, min_ms / 1000.0, max_ms / 1000.0);
	*ret = (uint32_t)ms;
	return 0;
}

/* ---- binds, tmpfs, files, rootfs ---- */

static int mount_new(struct ld *ld, struct nsl_topo_node *node, struct nsl_topo_mount **ret)
{
	node->mounts = nsli_grow(ld, node->mounts, node->n_mounts, sizeof(*node->mounts));
	if (!node->mounts)
		return nsli_nomem(ld);
	*ret = &node->mounts[node->n_mounts++];
	return 0;
}

/* "SRC:DST[:ro|:rw]": SRC on the host, relative to the file's directory; DST in the node. */
static int bind1(struct ld *ld, void *obj, const struct ynode *s)
{
	struct node_ld *nl = obj;
	_cleanup_free_ char *text = NULL, *src = NULL, *target = NULL;
	struct nsl_topo_mount *m = NULL;
	bool ro = false;
	char *colon;
	size_t len;
	int r = expand(ld, nl->node, s, s->value, &text);

	if (r < 0)
		return r;
	len = strlen(text);
	if (len > 3 && (STREQ(text + len - 3, ":ro") || STREQ(text + len - 3, ":rw"))) {
		ro = text[len - 1] == 'o';
		text[len - 3] = '\0';
	}
	colon = strrchr(text, ':');
	if (!colon)
		return nsli_yerr(ld->err, s, "bind '%s': expected SRC:DST, SRC:DST:ro or SRC:DST:rw", s->value);
	*colon = '\0';
	r = norm_target(ld, s, "bind target", colon + 1, &target);
	if (r == 0)
		r = host_path(ld, s, "bind", text, false, &src);
	if (r == 0)
		r = mount_new(ld, nl->node, &m);
	if (r < 0)
		return r;
	*m = (struct nsl_topo_mount){ .src = TAKE_PTR(src), .target = TAKE_PTR(target), .ro = ro, .pos = POS(s) };
	return target_add(ld, nl, s, "bind target", m->target);
}

struct tmpfs_ld {
	struct nsl_topo_mount m;
	const struct ynode *path;
};

static int f_tmpfs_path(struct ld *ld, void *obj, const struct ynode *v)
{
	int r = nsli_want(ld, v, Y_SCALAR, "path");

	if (r == 0)
		((struct tmpfs_ld *)obj)->path = v;
	return r;
}
static int f_tmpfs_owner(struct ld *ld, void *obj, const struct ynode *v)
{
	struct nsl_topo_mount *m = &((struct tmpfs_ld *)obj)->m;

	m->has_owner = true;
	return get_owner(ld, v, "owner", &m->uid, &m->gid);
}
static int f_tmpfs_mode(struct ld *ld, void *obj, const struct ynode *v)
{
	return get_mode(ld, v, &((struct tmpfs_ld *)obj)->m.mode);
}

static const struct field tmpfs_fields[] = {
	{ "path", f_tmpfs_path },
	{ "owner", f_tmpfs_owner },
	{ "mode", f_tmpfs_mode },
	{ 0 },
};

/* PATH, or { path, owner, mode }. */
static int tmpfs1(struct ld *ld, struct node_ld *nl, const struct ynode *v)
{
	struct tmpfs_ld x = { .m = { .mode = 0755, .pos = POS(v) } };
	_cleanup_free_ char *text = NULL;
	struct nsl_topo_mount *m = NULL;
	int r = 0;

	if (v->type == Y_SCALAR && !v->null)
		x.path = v;
	else if ((r = nsli_want(ld, v, Y_MAP, "tmpfs")) == 0 && (r = walk(ld, v, tmpfs_fields, &x, "tmpfs")) == 0 &&
		 !x.path)
		r = nsli_yerr(ld->err, v, "tmpfs: 'path' is required");
	if (r == 0)
		r = expand(ld, nl->node, x.path, x.path->value, &text);
	if (r == 0)
		r = norm_target(ld, x.path, "tmpfs path", text, &x.m.target);
	if (r == 0)
		r = mount_new(ld, nl->node, &m);
	if (r < 0) {
		free(x.m.target);
		return r;
	}
	*m = x.m;
	return target_add(ld, nl, x.path, "tmpfs path", m->target);
}

static int node_mounts(struct ld *ld, struct node_ld *nl)
{
	const struct ynode *v = nl->tmpfs;
	int r = 0;

	if (nl->binds)
		r = each_scalar(ld, nl->binds, "binds", bind1, nl);
	if (r < 0 || !v || (v->type == Y_SCALAR && v->null))
		return r;
	if (v->type != Y_SEQ)
		return tmpfs1(ld, nl, v);
	for (size_t i = 0; r == 0 && i < v->n; i++)
		r = tmpfs1(ld, nl, v->items[i]);
	return r;
}

struct file_ld {
	struct nsl_topo_file *f;
	const struct ynode *content;
};

static int f_file_content(struct ld *ld, void *obj, const struct ynode *v)
{
	int r = nsli_want(ld, v, Y_SCALAR, "content");

	if (r == 0)
		((struct file_ld *)obj)->content = v;
	return r;
}
static int f_file_mode(struct ld *ld, void *obj, const struct ynode *v)
{
	return get_mode(ld, v, &((struct file_ld *)obj)->f->mode);
}
static int f_file_owner(struct ld *ld, void *obj, const struct ynode *v)
{
	struct nsl_topo_file *f = ((struct file_ld *)obj)->f;

	f->has_owner = true;
	return get_owner(ld, v, "owner", &f->uid, &f->gid);
}

static const struct field file_fields[] = {
	{ "content", f_file_content },
	{ "mode", f_file_mode },
	{ "owner", f_file_owner },
	{ 0 },
};

/* DST: CONTENT, or DST: { content, mode, owner }. */
static int file1(struct ld *ld, struct node_ld *nl, const struct ynode *key, const struct ynode *v)
{
	struct nsl_topo_node *node = nl->node;
	_cleanup_free_ char *text = NULL;
	struct file_ld x = { 0 };
	int r = expand(ld, node, key, key->value, &text);

	if (r < 0)
		return r;
	node->files = nsli_grow(ld, node->files, node->n_files, sizeof(*node->files));
	if (!node->files)
		return nsli_nomem(ld);
	x.f = &node->files[node->n_files++];
	*x.f = (struct nsl_topo_file){ .mode = 0644, .pos = POS(key) };
	r = norm_target(ld, key, "files path", text, &x.f->path);
	if (r == 0 && v->type == Y_SCALAR && !v->null)
		x.content = v;
	else if (r == 0 && (r = nsli_want(ld, v, Y_MAP, "files")) == 0 &&
		 (r = walk(ld, v, file_fields, &x, "files")) == 0 && !x.content)
		r = nsli_yerr(ld->err, v, "files '%s': 'content' is required", key->value);
	if (r == 0)
		r = expand(ld, node, x.content, x.content->value, &x.f->content);
	if (r < 0)
		return r;
	x.f->len = strlen(x.f->content);
	return target_add(ld, nl, key, "files path", x.f->path);
}

static int node_files(struct ld *ld, struct node_ld *nl)
{
	const struct ynode *v = nl->files;
	int r = !v || (v->type == Y_SCALAR && v->null) ? 0 : nsli_want(ld, v, Y_MAP, "files");

	for (size_t i = 0; r == 0 && v && v->type == Y_MAP && i < v->n; i++)
		r = file1(ld, nl, v->keys[i], v->items[i]);
	return r;
}

static int f_node_rootfs(struct ld *ld, void *obj, const struct ynode *v)
{
	struct nsl_topo_node *node = NODE(obj);
	_cleanup_free_ char *text = NULL;
	int r = get_expanded(ld, node, v, "rootfs", &text);

	if (r < 0)
		return r;
	free(node->rootfs);
	node->rootfs = NULL;
	return host_path(ld, v, "rootfs", text, true, &node->rootfs);
}

/* ---- env ---- */

static bool env_name_ok(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
		return false;
	return s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")] == '\0';
}

/* Append @s (taken) to the NULL-terminated vector *@v of *@n strings. */
static int strv_take(struct ld *ld, char ***v, size_t *n, char *s)
{
	char **p = nsli_grow(ld, *v, *n, sizeof(char *));

	if (p) {
		*v = p;
		p[(*n)++] = s;
		p = nsli_grow(ld, *v, *n, sizeof(char *));
	}
	if (!p) {
		free(s);
		return nsli_nomem(ld);
	}
	*v = p;
	p[*n] = NULL; /* NULL-terminated, as the model promises */
	return 0;
}

/* `env` at @v: "KEY=VALUE" appended to *@env, values expanded. */
static int env_into(struct ld *ld, const struct nsl_topo_node *node, const struct ynode *v, char ***env, size_t *n)
{
	int r = v->type == Y_SCALAR && v->null ? 0 : nsli_want(ld, v, Y_MAP, "env");

	for (size_t i = 0; r == 0 && v->type == Y_MAP && i < v->n; i++) {
		const struct ynode *k = v->keys[i], *val = v->items[i];
		_cleanup_free_ char *text = NULL;
		char *kv;

		if (!env_name_ok(k->value))
			return nsli_yerr(ld->err, k, "env '%s': not a variable name ([A-Za-z_][A-Za-z0-9_]*)", k->value);
		if (val->type != Y_SCALAR || val->null)
			return nsli_yerr(ld->err, val, "env '%s': expected a value, got %s", k->value, nsli_type_name(val));
		r = expand(ld, node, val, val->value, &text);
		if (r == 0)
			r = asprintf(&kv, "%s=%s", k->value, text) < 0 ? nsli_nomem(ld) : strv_take(ld, env, n, kv);
	}
	return r;
}

/* A process's environment: the node's, less the keys the process sets, then the process's own. */
static int proc_env(struct ld *ld, const struct nsl_topo_node *node, struct nsl_topo_proc *p, const struct ynode *own)
{
	_cleanup_(nsli_topo_index_done) struct topo_index ix = { 0 };
	size_t n = 0;
	int r = 0;

	for (size_t i = 0; own && own->type == Y_MAP && i < own->n; i++)
		if (nsli_topo_index_add(&ix, 0, own->keys[i]->value, strlen(own->keys[i]->value), 0, NULL) < 0)
			return nsli_nomem(ld);
	for (size_t i = 0; r == 0 && i < node->n_env; i++) {
		char *kv;

		if (nsli_topo_index_find(&ix, 0, node->env[i], strcspn(node->env[i], "=")) >= 0)
			continue;
		kv = strdup(node->env[i]);
		r = kv ? strv_take(ld, &p->env, &n, kv) : nsli_nomem(ld);
	}
	if (r == 0 && own)
		r = env_into(ld, node, own, &p->env, &n);
	if (r == 0 && !p->env && !(p->env = calloc(1, sizeof(char *))))
		r = nsli_nomem(ld);
	return r;
}

/* ---- run ---- */

/* A process being read: @single when `run` is one mapping, not a list. */
struct proc_ld {
	struct node_ld *nl;
	struct nsl_topo_proc *p;
	const struct ynode *env, *command;
	bool single, shell;
};

static int f_proc_command(struct ld *ld, void *obj, const struct ynode *v)
{
	struct proc_ld *x = obj;
	struct nsl_topo_proc *p = x->p;
	int r;

	x->command = v;
	x->shell = v->type == Y_SCALAR && !v->null;
	if (x->shell && !v->value[strspn(v->value, " \t\n")])
		return nsli_yerr(ld->err, v, "command: empty");
	r = x->shell ? 0 : nsli_want(ld, v, Y_SEQ, "command");
	if (r < 0)
		return r;
	if (!x->shell && v->n == 0)
		return nsli_yerr(ld->err, v, "command: empty");
	for (size_t i = 0; !x->shell && i < v->n; i++) {
		r = nsli_want(ld, v->items[i], Y_SCALAR, "command");
		if (r < 0)
			return r;
	}
	/* NULL-terminated from the start: nsl_topo_free() walks it to the NULL. */
	p->argv = calloc(x->shell ? 4 : v->n + 1, sizeof(char *));
	if (!p->argv)
		return nsli_nomem(ld);
	if (x->shell) {
		if (!(p->argv[0] = strdup("/bin/sh")) || !(p->argv[1] = strdup("-c")))
			return nsli_nomem(ld);
		return expand(ld, x->nl->node, v, v->value, &p->argv[2]);
	}
	for (size_t i = 0; r == 0 && i < v->n; i++)
		r = expand(ld, x->nl->node, v->items[i], v->items[i]->value, &p->argv[i]);
	return r;
}

#define PROC_NAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"

static bool proc_name_ok(const char *s)
{
	size_t n = strlen(s);

	/* It names a log file, and the supervisor takes no name that starts like an option or a
	 * hidden file. */
	return n >= 1 && n <= 64 && s[0] != '.' && s[0] != '-' && s[strspn(s, PROC_NAME_CHARS)] == '\0';
}

/* Names of nslab's own logs of a node (`nslab logs`): no process may take them. */
static bool proc_name_reserved(const char *s)
{
	return STREQ(s, "supervise") || STREQ(s, "exec") || STREQ(s, "ready");
}

static int proc_name_add(struct ld *ld, struct node_ld *nl, const struct ynode *v, const char *name)
{
	int line = 0, r = nsli_topo_index_add(&nl->seen, 1, name, strlen(name), v ? (int)v->line : 0, &line);

	if (r < 0)
		return nsli_nomem(ld);
	if (r == 0)
		return nsli_yerr(ld->err, v, "name '%s': node '%s' has a process of that name already (line %d)",
				 name, nl->node->name, line);
	return 0;
}

static int f_proc_name(struct ld *ld, void *obj, const struct ynode *v)
{
	struct proc_ld *x = obj;
	int r = nsli_want(ld, v, Y_SCALAR, "name");

	if (r < 0)
		return r;
	if (!proc_name_ok(v->value))
		return nsli_yerr(ld->err, v, "name '%s': want 1 to 64 of A-Z a-z 0-9 . _ -, not starting with . or -", v->value);
	if (proc_name_reserved(v->value))
		return nsli_yerr(ld->err, v, "name '%s': reserved (supervise, exec and ready are nslab's own logs)",
				 v->value);
	if (!(x->p->name = strdup(v->value)))
		return nsli_nomem(ld);
	return proc_name_add(ld, x->nl, v, x->p->name);
}
static int f_proc_env(struct ld *ld, void *obj, const struct ynode *v)
{
	(void)ld;
	((struct proc_ld *)obj)->env = v;
	return 0;
}
static int f_proc_user(struct ld *ld, void *obj, const struct ynode *v)
{
	struct nsl_topo_proc *p = ((struct proc_ld *)obj)->p;

	p->has_user = true;
	return get_owner(ld, v, "user", &p->uid, &p->gid);
}
static int f_proc_wd(struct ld *ld, void *obj, const struct ynode *v)
{
	struct proc_ld *x = obj;
	int r = get_expanded(ld, x->nl->node, v, "wd", &x->p->wd);

	if (r == 0 && x->p->wd[0] != '/')
		return nsli_yerr(ld->err, v, "wd '%s': not an absolute path", x->p->wd);
	return r;
}
static int f_proc_restart(struct ld *ld, void *obj, const struct ynode *v)
{
	static const char *const names[] = {
		[NSL_TOPO_RESTART_NO] = "no",
		[NSL_TOPO_RESTART_ON_FAILURE] = "on-failure",
		[NSL_TOPO_RESTART_ALWAYS] = "always",
	};
	int r = nsli_want(ld, v, Y_SCALAR, "restart");

	for (size_t i = 0; r == 0 && i < ELEMENTSOF(names); i++)
		if (STREQ(v->value, names[i])) {
			((struct proc_ld *)obj)->p->restart = (enum nsl_topo_restart)i;
			return 0;
		}
	return r < 0 ? r : nsli_yerr(ld->err, v, "restart '%s': want no, on-failure or always", v->value);
}
/* The old form `run: { command, namespaces }`: the node's namespaces, given in its one process. */
static int f_proc_ns(struct ld *ld, void *obj, const struct ynode *v)
{
	struct proc_ld *x = obj;

	if (!x->single)
		return nsli_yerr(ld->err, v, "namespaces: give them on the node (its processes share one set)");
	x->nl->run_ns = v;
	return 0;
}

static const struct field proc_fields[] = {
	{ "command", f_proc_command },
	{ "name", f_proc_name },
	{ "env", f_proc_env },
	{ "user", f_proc_user },
	{ "wd", f_proc_wd },
	{ "restart", f_proc_restart },
	{ "namespaces", f_proc_ns },
	{ 0 },
};

/*
 * A name for a process without one: the base name of its program (of the first word of a
 * string command), in the characters a name may have; "run" when that leaves nothing usable.
 */
static void default_name(const struct nsl_topo_proc *p, bool shell, char *buf, size_t size)
{
	const char *w = shell ? p->argv[2] + strspn(p->argv[2], " \t\n") : p->argv[0];
	size_t len = shell ? strcspn(w, " \t\n;&|<>()") : strlen(w), n = 0;

	for (size_t i = 0; i < len; i++)
		if (w[i] == '/')
			n = i + 1;
	w += n;
	len -= n;
	for (n = 0; n < len && n + 1 < size; n++)
		buf[n] = w[n] && strchr(PROC_NAME_CHARS, w[n]) ? w[n] : '_';
	buf[n] = '\0';
	if (n && (buf[0] == '.' || buf[0] == '-'))
		buf[0] = '_';
	if (!n || proc_name_reserved(buf))
		snprintf(buf, size, "run");
}

/* Give each unnamed process its default name, made unique with -2, -3, ... */
static int proc_default_names(struct ld *ld, struct node_ld *nl, const bool *shell, size_t first)
{
	struct nsl_topo_node *node = nl->node;

	for (size_t i = first; i < node->n_procs; i++) {
		struct nsl_topo_proc *p = &node->procs[i];
		char base[65], name[65];

		if (p->name)
			continue;
		default_name(p, shell[i - first], base, sizeof(base));
		snprintf(name, sizeof(name), "%s", base);
		/* Bounded: each try that fails is a name some process of the node has. */
		for (unsigned k = 2; nsli_topo_index_find(&nl->seen, 1, name, strlen(name)) >= 0; k++) {
			char sfx[16];
			int sl = snprintf(sfx, sizeof(sfx), "-%u", k);

			snprintf(name, sizeof(name), "%.*s%s", (int)(64 - (size_t)sl), base, sfx);
		}
		if (!(p->name = strdup(name)))
			return nsli_nomem(ld);
		if (proc_name_add(ld, nl, NULL, p->name) < 0)
			return nsli_nomem(ld);
	}
	return 0;
}

static int proc1(struct ld *ld, struct node_ld *nl, const struct ynode *v, bool single, bool *shell)
{
	struct nsl_topo_node *node = nl->node;
	struct proc_ld x = { .nl = nl, .single = single };
	int r = nsli_want(ld, v, Y_MAP, "run");

	if (r < 0)
		return r;
	node->procs = nsli_grow(ld, node->procs, node->n_procs, sizeof(*node->procs));
	if (!node->procs)
		return nsli_nomem(ld);
	x.p = &node->procs[node->n_procs++];
	x.p->pos = POS(v);
	r = walk(ld, v, proc_fields, &x, "run");
	if (r == 0 && !x.command)
		r = nsli_yerr(ld->err, v, "run: 'command' is required");
	if (r == 0)
		r = proc_env(ld, node, x.p, x.env);
	*shell = x.shell;
	return r;
}

/* `run`: one process (a mapping) or a list of them. */
static int node_run(struct ld *ld, struct node_ld *nl)
{
	const struct ynode *v = nl->run;
	struct nsl_topo_node *node = nl->node;
	bool list = v && v->type == Y_SEQ;
	size_t n = !v || (v->type == Y_SCALAR && v->null) ? 0 : list ? v->n : 1, first = node->n_procs;
	_cleanup_free_ bool *shell = calloc(n + 1, sizeof(*shell));
	int r = 0;

	if (!shell)
		return nsli_nomem(ld);
	for (size_t i = 0; r == 0 && i < n; i++)
		r = proc1(ld, nl, list ? v->items[i] : v, !list, &shell[i]);
	if (r == 0)
		r = proc_default_names(ld, nl, shell, first);
	if (node->n_procs)
		node->run = node->procs[0].argv;
	return r;
}

/* ---- ready, loopback, namespaces, stop_timeout ---- */

static int f_ready_exec(struct ld *ld, void *obj, const struct ynode *v)
{
	struct nsl_topo_node *node = obj;

	return get_expanded(ld, node, v, "exec", &node->ready);
}
static int f_ready_timeout(struct ld *ld, void *obj, const struct ynode *v)
{
	uint32_t s;
	int r = get_u32(ld, v, "timeout", 1, 3600, &s);

	if (r == 0)
		((struct nsl_topo_node *)obj)->ready_timeout_ms = s * 1000;
	return r;
}
static int f_ready_interval(struct ld *ld, void *obj, const struct ynode *v)
{
	return get_secs(ld, v, "interval", 100, 60000, &((struct nsl_topo_node *)obj)->ready_interval_ms);
}

static const struct field ready_fields[] = {
	{ "exec", f_ready_exec },
	{ "timeout", f_ready_timeout },
	{ "interval", f_ready_interval },
	{ 0 },
};

static int f_node_ready(struct ld *ld, void *obj, const struct ynode *v)
{
	struct nsl_topo_node *node = NODE(obj);
	int r = walk(ld, v, ready_fields, node, "ready");

	if (r == 0 && !node->ready)
		r = nsli_yerr(ld->err, v, "ready: exec is required");
	return r;
}

struct lo_ld {
	struct nsl_topo_node *node;
	const struct ynode **at; /* the scalar of each address */
	size_t cap;
};

static int lo1(struct ld *ld, void *obj, const struct ynode *s)
{
	struct lo_ld *x = obj;
	struct nsl_topo_node *node = x->node;
	struct nsl_err e = { 0 };
	struct nsl_prefix p;

	if (nsl_parse_cidr(s->value, &p, &e) < 0)
		return nsli_yerr(ld->err, s, "loopback address '%s': %s", s->value, e.msg);
	/* The kernel gives lo these two itself: adding them again fails with EEXIST. */
	if ((p.family == AF_INET && p.len == 8 && p.addr[0] == 127 && p.addr[1] == 0 && p.addr[2] == 0 &&
	     p.addr[3] == 1) ||
	    (p.family == AF_INET6 && p.len == 128 && !memcmp(p.addr, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16)))
		return nsli_yerr(ld->err, s, "loopback address '%s': lo has it already", s->value);
	node->loopback = nsli_grow(ld, node->loopback, node->n_loopback, sizeof(p));
	if (!node->loopback || !GREEDY_REALLOC(x->at, x->cap, node->n_loopback + 1))
		return nsli_nomem(ld);
	x->at[node->n_loopback] = s;
	node->loopback[node->n_loopback++] = p;
	if (p.family == AF_INET6)
		node->has_ipv6 = true; /* or the node gets disable_ipv6=1, and lo loses it */
	return 0;
}

static int lo_cmp(const void *a, const void *b, void *base)
{
	const struct nsl_prefix *x = (const struct nsl_prefix *)base + *(const size_t *)a;
	const struct nsl_prefix *y = (const struct nsl_prefix *)base + *(const size_t *)b;
	int c = x->family - y->family;

	if (!c)
		c = memcmp(x->addr, y->addr, sizeof(x->addr));
	if (!c)
		c = (int)x->len - (int)y->len;
	return c ? c : *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/* The same address twice on lo: the second add fails. Sorted, not compared pairwise. */
static int lo_dups(struct ld *ld, const struct lo_ld *x)
{
	const struct nsl_topo_node *node = x->node;
	_cleanup_free_ size_t *ord = malloc((node->n_loopback + 1) * sizeof(*ord));

	if (!ord)
		return nsli_nomem(ld);
	for (size_t i = 0; i < node->n_loopback; i++)
		ord[i] = i;
	qsort_r(ord, node->n_loopback, sizeof(*ord), lo_cmp, node->loopback);
	for (size_t i = 1; i < node->n_loopback; i++) {
		const struct nsl_prefix *a = &node->loopback[ord[i - 1]], *b = &node->loopback[ord[i]];

		if (a->family == b->family && a->len == b->len && !memcmp(a->addr, b->addr, sizeof(a->addr)))
			return nsli_yerr(ld->err, x->at[ord[i]], "loopback address '%s' is given twice",
					 x->at[ord[i]]->value);
	}
	return 0;
}

static int f_node_loopback(struct ld *ld, void *obj, const struct ynode *v)
{
	struct lo_ld x = { .node = NODE(obj) };
	int r = each_scalar(ld, v, "loopback", lo1, &x);

	if (r == 0)
		r = lo_dups(ld, &x);
	free(x.at);
	return r;
}

static int ns1(struct ld *ld, void *obj, const struct ynode *s)
{
	static const char *const names[] = { "uts", "pid", "ipc", "mount" };
	unsigned *ns = obj;

	for (size_t i = 0; i < ELEMENTSOF(names); i++)
		if (STREQ(s->value, names[i])) {
			*ns |= 1u << i;
			return 0;
		}
	return nsli_yerr(ld->err, s, "namespace '%s': expected uts, pid, ipc or mount", s->value);
}

/*
 * What needs all of the node: whether a supervisor holds it, its namespaces (all four by
 * default then, none otherwise), its stop timeout.
 */
static int node_finish(struct ld *ld, struct node_ld *nl)
{
	struct nsl_topo_node *node = nl->node;
	const struct ynode *ns = nl->ns ? nl->ns : nl->run_ns;
	bool view = node->n_mounts || node->n_files || node->rootfs;
	int r;

	node->supervised = node->n_procs || view;
	if (nl->ns && nl->run_ns)
		return nsli_yerr(ld->err, nl->run_ns, "namespaces: given on the node and in its run");
	node->run_ns = node->supervised ? NSL_TOPO_NS_UTS | NSL_TOPO_NS_PID | NSL_TOPO_NS_IPC | NSL_TOPO_NS_MOUNT : 0;
	if (ns) {
		node->run_ns = 0;
		r = each_scalar(ld, ns, "namespaces", ns1, &node->run_ns);
		if (r < 0)
			return r;
		if (!node->supervised)
			return nsli_yerr(ld->err, ns, "namespaces: node '%s' has no run, binds, tmpfs, files or rootfs to put in them",
					 node->name);
		if (view && !(node->run_ns & NSL_TOPO_NS_MOUNT))
			return nsli_yerr(ld->err, ns, "namespaces: binds, tmpfs, files and rootfs need 'mount'");
	}
	node->stop_timeout_ms = ld->lab_stop_given ? ld->t->stop_timeout_ms : 5000;
	if (nl->stop) {
		uint32_t s;

		r = get_u32(ld, nl->stop, "stop_timeout", 0, 3600, &s);
		if (r < 0)
			return r;
		node->stop_timeout_ms = s * 1000;
	}
	return 0;
}

/* ---- the node's keys ---- */

#define LATER(k)                                                                                   \
	static int f_node_##k(struct ld *ld, void *obj, const struct ynode *v)                     \
	{                                                                                          \
		(void)ld;                                                                          \
		((struct node_ld *)obj)->k = v;                                                    \
		return 0;                                                                          \
	}
LATER(env)
LATER(binds)
LATER(tmpfs)
LATER(files)
LATER(run)
LATER(ns)
LATER(stop)

static int exec1(struct ld *ld, void *obj, const struct ynode *s)
{
	struct nsl_topo_node *node = ((struct node_ld *)obj)->node;
	_cleanup_free_ char *text = NULL;
	int r = expand(ld, node, s, s->value, &text);

	return r < 0 ? r : nsli_push_str(ld, &node->exec, &node->n_exec, text);
}
static int f_node_exec(struct ld *ld, void *obj, const struct ynode *v)
{
	return each_scalar(ld, v, "exec", exec1, obj);
}

static int f_node_group(struct ld *ld, void *obj, const struct ynode *v)
{
	/* Its keys were merged in before the walk (nsli_node_tree()). */
	return nsli_get_str(ld, v, "group", &NODE(obj)->group);
}

static const struct field node_fields[] = {
	{ "interfaces", f_node_ifaces },
	{ "routes", f_node_routes },
	{ "sysctls", f_node_sysctls },
	{ "dns", f_node_dns },
	{ "run", f_node_run },
	{ "exec", f_node_exec },
	{ "group", f_node_group },
	{ "loopback", f_node_loopback },
	{ "binds", f_node_binds },
	{ "tmpfs", f_node_tmpfs },
	{ "files", f_node_files },
	{ "env", f_node_env },
	{ "rootfs", f_node_rootfs },
	{ "namespaces", f_node_ns },
	{ "ready", f_node_ready },
	{ "stop_timeout", f_node_stop },
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
static int f_exp_within(struct ld *ld, void *obj, const struct ynode *v)
{
	struct nsl_topo_expect *x = ((struct expect_ld *)obj)->x;
	uint32_t s;
	int r = get_u32(ld, v, "within", 1, 3600, &s);

	if (r == 0)
		x->within_ms = s * 1000;
	return r;
}
static int f_exp_tcp(struct ld *ld, void *obj, const struct ynode *v)
{
	uint32_t port;
	int r = get_u32(ld, v, "tcp", 1, 65535, &port);

	if (r == 0)
		((struct expect_ld *)obj)->x->tcp = (uint16_t)port;
	return r;
}

static const struct field expect_fields[] = {
	{ "from", f_exp_from },
	{ "to", f_exp_to },
	{ "reach", f_exp_reach },
	{ "timeout_ms", f_exp_timeout },
	{ "within", f_exp_within },
	{ "tcp", f_exp_tcp },
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
TOPKEY(groups)
TOPKEY(stop_timeout)

static const struct field top_fields[] = {
	{ "name", f_top_name },	  { "prefix", f_top_prefix }, { "defaults", f_top_defaults },
	{ "bridges", f_top_bridges }, { "nodes", f_top_nodes }, { "links", f_top_links },
	{ "expect", f_top_expect }, { "groups", f_top_groups }, { "stop_timeout", f_top_stop_timeout },
	{ 0 },
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

int nsli_top_stop_timeout(struct ld *ld, const struct ynode *v)
{
	uint32_t s;
	int r = get_u32(ld, v, "stop_timeout", 0, 3600, &s);

	if (r == 0) {
		ld->t->stop_timeout_ms = s * 1000;
		ld->lab_stop_given = true;
	}
	return r;
}

/* Is @key a key of a node? */
static bool node_key(const char *key)
{
	for (const struct field *f = node_fields; f->key; f++)
		if (STREQ(f->key, key))
			return true;
	return false;
}

/* A group's keys are checked here even when no node takes it; their values, in each node. */
static int group_keys(struct ld *ld, const struct ynode *key, const struct ynode *v)
{
	struct nsl_err e = { 0 };
	int r = v->type == Y_SCALAR && v->null ? 0 : nsli_want(ld, v, Y_MAP, "group");

	if (r < 0)
		return r;
	if (nsl_parse_nsname(key->value, &e) < 0)
		return nsli_yerr(ld->err, key, "group name '%s': %s", key->value, e.msg);
	for (size_t i = 0; v->type == Y_MAP && i < v->n; i++) {
		if (STREQ(v->keys[i]->value, "group"))
			return nsli_yerr(ld->err, v->keys[i], "a group cannot take 'group' (groups do not nest)");
		if (!node_key(v->keys[i]->value))
			return nsli_yerr(ld->err, v->keys[i], "unknown key '%s' in group", v->keys[i]->value);
	}
	return 0;
}

int nsli_groups_keys(struct ld *ld, const struct ynode *v)
{
	int r = v->type == Y_SCALAR && v->null ? 0 : nsli_want(ld, v, Y_MAP, "groups");

	if (r < 0 || v->type != Y_MAP)
		return r;
	if (v->n > INT32_MAX)
		return nsli_yerr(ld->err, v, "groups: too many");
	ld->groups_y = v;
	for (size_t k = 0; k < v->n; k++) {
		r = group_keys(ld, v->keys[k], v->items[k]);
		if (r < 0)
			return r;
		/* Unique: keys of one mapping. */
		if (nsli_topo_index_add(&ld->groups, 0, v->keys[k]->value, strlen(v->keys[k]->value), (int)k, NULL) < 0)
			return nsli_nomem(ld);
	}
	return 0;
}

int nsli_node_tree(struct ld *ld, const struct ynode *v, const struct ynode **ret)
{
	const struct ynode *g = NULL, *gv;
	struct ynode *m;
	int k, r;

	*ret = v;
	for (size_t i = 0; v->type == Y_MAP && i < v->n && !g; i++)
		if (STREQ(v->keys[i]->value, "group"))
			g = v->items[i];
	if (!g)
		return 0;
	r = nsli_want(ld, g, Y_SCALAR, "group");
	if (r < 0)
		return r;
	k = nsli_topo_index_find(&ld->groups, 0, g->value, strlen(g->value));
	if (k < 0)
		return nsli_yerr(ld->err, g, "no group '%s'", g->value);
	gv = ld->groups_y->items[k];
	if (gv->type != Y_MAP)
		return 0; /* an empty group */
	if (nsli_ymerge(gv, v, &m) < 0)
		return nsli_nomem(ld);
	*ret = m;
	return 0;
}

int nsli_node_keys(struct ld *ld, const struct ynode *v, struct nsl_topo_node *node)
{
	struct node_ld nl = { .node = node };
	int r;

	node->ready_timeout_ms = 60000;
	node->ready_interval_ms = 500;
	r = walk(ld, v, node_fields, &nl, "node");
	if (r == 0 && nl.env)
		r = env_into(ld, node, nl.env, &node->env, &node->n_env);
	if (r == 0)
		r = node_mounts(ld, &nl);
	if (r == 0)
		r = node_files(ld, &nl);
	if (r == 0)
		r = node_run(ld, &nl);
	if (r == 0)
		r = node_finish(ld, &nl);
	nsli_topo_index_done(&nl.seen);
	return r;
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
