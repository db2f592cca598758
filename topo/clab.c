// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * containerlab files: the top level and the nodes. Every key of containerlab's schema is in
 * one of the tables below: translated, warned about (it means something only to a container
 * runtime: the lab comes up without it), or refused until nslab does it. A key in no table is
 * not containerlab's: an error, like an unknown key of a native file.
 */
#include <stdarg.h>
#include <stdio.h>

#include "clab.h"
#include "core.h"
#include "macro.h"
#include "nslab/link.h"

enum ckey_what {
	CK_USE,	 /* translated */
	CK_WARN, /* one warning: no meaning without a container runtime */
	CK_TODO, /* refused: not done yet */
};

struct ckey {
	const char *key;
	enum ckey_what what;
	const char *why;
};

#define NO_RT "nodes have no container runtime"

static const struct ckey node_keys[] = {
	{ "kind", CK_USE },
	{ "group", CK_USE },
	{ "exec", CK_USE },
	{ "binds", CK_USE },
	{ "env", CK_USE },
	{ "user", CK_USE },
	{ "hostname", CK_USE },
	{ "entrypoint", CK_USE },
	{ "cmd", CK_USE },
	{ "mgmt-ipv4", CK_USE },
	{ "mgmt-ipv6", CK_USE },
	{ "network-mode", CK_USE },
	{ "sysctls", CK_USE },
	{ "dns", CK_USE },
	{ "labels", CK_WARN, "nodes are not containers to label" },
	{ "image", CK_WARN, "nodes run the host's programs" },
	{ "image-pull-policy", CK_WARN, "nodes run the host's programs" },
	{ "restart-policy", CK_WARN, NO_RT },
	{ "license", CK_WARN, "nodes run the host's programs" },
	{ "type", CK_WARN, "nodes run the host's programs" },
	{ "startup-config", CK_WARN, "nodes run the host's programs" },
	{ "enforce-startup-config", CK_WARN, "nodes run the host's programs" },
	{ "suppress-startup-config", CK_WARN, "nodes run the host's programs" },
	{ "auto-remove", CK_WARN, NO_RT },
	{ "volumes", CK_WARN, NO_RT },
	{ "ports", CK_WARN, "there is no NAT to publish ports through" },
	{ "credentials", CK_WARN, "nodes run the host's programs" },
	{ "runtime", CK_WARN, NO_RT },
	{ "link-apply-mode", CK_WARN, NO_RT },
	{ "cpu", CK_WARN, NO_RT },
	{ "memory", CK_WARN, NO_RT },
	{ "cpu-set", CK_WARN, NO_RT },
	{ "extras", CK_WARN, "nodes run the host's programs" },
	{ "config", CK_WARN, "nodes run the host's programs" },
	{ "certificate", CK_WARN, "nodes run the host's programs" },
	{ "components", CK_WARN, "nodes run the host's programs" },
	{ "aliases", CK_WARN, NO_RT },
	{ "shm-size", CK_WARN, NO_RT },
	{ "cap-add", CK_WARN, "node processes run with the caller's capabilities" },
	{ "privileged", CK_WARN, "node processes run with the caller's capabilities" },
	{ "cgroupns-mode", CK_WARN, NO_RT },
	{ "cgroup-parent", CK_WARN, NO_RT },
	{ "pid-mode", CK_WARN, NO_RT },
	{ "security-opts", CK_WARN, NO_RT },
	{ "devices", CK_WARN, NO_RT },
	{ "env-files", CK_USE },
	{ "startup-delay", CK_TODO },
	{ "stages", CK_TODO },
	{ "healthcheck", CK_TODO },
	{ "tmpfs", CK_TODO },
	{ 0 },
};

/* ---- messages ---- */

static int vmsg(struct clab *c, struct nsl_err *e, const struct ynode *at, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
static int vmsg(struct clab *c, struct nsl_err *e, const struct ynode *at, const char *fmt, va_list ap)
{
	nsl_err_set(e, NSL_E_USAGE, -EINVAL, c->path, NULL);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	e->line = at ? at->line : 0;
	e->column = at ? at->column : 0;
	return -EINVAL;
}

int nsli_clab_err(struct clab *c, const struct ynode *at, const char *fmt, ...)
{
	struct nsl_err dummy;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vmsg(c, c->err ? c->err : &dummy, at, fmt, ap);
	va_end(ap);
	return r;
}

int nsli_clab_warn(struct clab *c, const struct ynode *at, const char *fmt, ...)
{
	bool strict = c->o && (c->o->flags & NSL_TOPO_LOAD_STRICT);
	struct nsl_err w, dummy;
	va_list ap;

	va_start(ap, fmt);
	vmsg(c, strict ? (c->err ? c->err : &dummy) : &w, at, fmt, ap);
	va_end(ap);
	if (strict) {
		if (c->err)
			snprintf(c->err->msg + strlen(c->err->msg), sizeof(c->err->msg) - strlen(c->err->msg),
				 " (--strict)");
		return -EINVAL;
	}
	if (c->o && c->o->warn)
		c->o->warn(c->o->warn_data, &w);
	return 0;
}

static int nomem(struct clab *c)
{
	return nsl_err_set(c->err, NSL_E_SYSTEM, -ENOMEM, c->path, NULL);
}

int nsli_clab_want(struct clab *c, const struct ynode *v, enum ynode_type type, const char *what)
{
	if (v->type == type && !(type == Y_SCALAR && v->null))
		return 0;
	return nsli_clab_err(c, v, "%s: expected %s", what,
			     type == Y_MAP ? "a mapping" : type == Y_SEQ ? "a list" : "a value");
}

int nsli_clab_find(const struct clab *c, const char *name)
{
	return nsli_topo_index_find(&c->ix, 0, name, strlen(name));
}

struct ynode *nsli_clab_iface(struct clab_node *cn, const struct ynode *at, const char *name)
{
	for (size_t i = 0; i < cn->ifaces->n; i++)
		if (STREQ(cn->ifaces->keys[i]->value, name))
			return cn->ifaces->items[i];
	if (nsli_yput(cn->ifaces, at, name, nsli_ynew(Y_MAP, at)) < 0)
		return NULL;
	return cn->ifaces->items[cn->ifaces->n - 1];
}

/* ---- the keys of a node, a group, a kind or the defaults ---- */

static const struct ckey *ckey_find(const char *key)
{
	for (const struct ckey *k = node_keys; k->key; k++)
		if (STREQ(k->key, key))
			return k;
	return NULL;
}

/* Each key of mapping @v (the keys of a node, group, kind or the defaults: @what) checked once. */
static int check_keys(struct clab *c, const struct ynode *v, const char *what)
{
	int r;

	if (v->type == Y_SCALAR && v->null)
		return 0;
	r = nsli_clab_want(c, v, Y_MAP, what);
	for (size_t i = 0; r == 0 && i < v->n; i++) {
		const struct ynode *k = v->keys[i], *val = v->items[i];
		const struct ckey *ck = ckey_find(k->value);

		if (!ck)
			return nsli_clab_err(c, k, "unknown key '%s' in %s", k->value, what);
		if (ck->what == CK_TODO)
			return nsli_clab_err(c, k, "%s: not supported yet", k->value);
		if (ck->what == CK_WARN && val->type == Y_SCALAR)
			r = nsli_clab_warn(c, k, "%s '%s' ignored: %s", k->value, val->value, ck->why);
		else if (ck->what == CK_WARN)
			r = nsli_clab_warn(c, k, "%s ignored: %s", k->value, ck->why);
	}
	return r;
}

/* Each mapping of @v (kinds or groups) checked. */
static int check_section(struct clab *c, const struct ynode *v, const char *what)
{
	char w[96];
	int r;

	if (!v || (v->type == Y_SCALAR && v->null))
		return 0;
	r = nsli_clab_want(c, v, Y_MAP, what);
	for (size_t i = 0; r == 0 && i < v->n; i++) {
		snprintf(w, sizeof(w), "%s '%s'", what, v->keys[i]->value);
		r = check_keys(c, v->items[i], w);
	}
	return r;
}

/* The first of @cn's chain (node, group, kind, defaults) that gives @key. */
static const struct ynode *lookup(const struct clab_node *cn, const char *key)
{
	for (int i = 0; i < 4; i++) {
		const struct ynode *v = nsli_yget(cn->chain[i], key);

		if (v && !(v->type == Y_SCALAR && (v->null || !*v->value)))
			return v;
	}
	return NULL;
}

/* The scalar @key of @map, "" when not given. */
static const char *str_of(const struct ynode *map, const char *key, const struct ynode **ret_at)
{
	const struct ynode *v = nsli_yget(map, key);

	if (!v || v->type != Y_SCALAR || v->null)
		return "";
	if (ret_at)
		*ret_at = v;
	return v->value;
}

/* node.kind, else its group's, else the defaults' group's, else the defaults' (containerlab's
 * GetNodeKind()); its group: node.group, else its kind's, else the defaults'. */
static int node_chain(struct clab *c, struct clab_node *cn, const struct ynode *def)
{
	const struct ynode *at = cn->key, *gat = NULL, *g = NULL;
	const char *kind = str_of(def, "kind", &at), *group;

	if (!*kind)
		kind = str_of(nsli_yget(c->groups, str_of(def, "group", NULL)), "kind", &at);
	if (!*kind)
		kind = str_of(nsli_yget(c->groups, str_of(c->defaults, "group", NULL)), "kind", &at);
	if (!*kind)
		kind = str_of(c->defaults, "kind", &at);
	if (!*kind)
		return nsli_clab_err(c, cn->key, "node '%s': no kind (give 'kind', or 'kind' in defaults)",
				     cn->key->value);
	group = str_of(def, "group", &gat);
	if (!*group)
		group = str_of(nsli_yget(c->kinds, kind), "group", &gat);
	if (!*group)
		group = str_of(c->defaults, "group", &gat);
	if (*group && !(g = nsli_yget(c->groups, group)))
		return nsli_clab_err(c, gat, "no group '%s'", group);
	cn->kind = kind;
	cn->kind_at = at;
	cn->chain[0] = def && def->type == Y_MAP ? def : NULL;
	cn->chain[1] = g && g->type == Y_MAP ? g : NULL;
	cn->chain[2] = nsli_yget(c->kinds, kind);
	cn->chain[3] = c->defaults && c->defaults->type == Y_MAP ? c->defaults : NULL;
	if (cn->chain[2] && cn->chain[2]->type != Y_MAP)
		cn->chain[2] = NULL;
	return 0;
}

/* The kind: linux is a node, bridge a bridge; others only with NSL_TOPO_LOAD_ANY_KIND. */
static int node_kind(struct clab *c, struct clab_node *cn)
{
	const char *k = cn->kind;

	if (STREQ(k, "bridge")) {
		cn->bridge = true;
		return 0;
	}
	if (STREQ(k, "linux"))
		return 0;
	if (STREQ(k, "ovs-bridge"))
		return nsli_clab_err(c, cn->kind_at, "kind 'ovs-bridge': Open vSwitch is not supported (kind: bridge is a Linux bridge)");
	if (STREQ(k, "host") || STREQ(k, "ext-container"))
		return nsli_clab_err(c, cn->kind_at, "kind '%s': not supported yet", k);
	if (c->o && (c->o->flags & NSL_TOPO_LOAD_ANY_KIND))
		return 0;
	return nsli_clab_err(c, cn->kind_at,
			     "kind '%s' needs its image: only linux and bridge nodes run without one (--any-kind wires it as a plain netns node)",
			     k);
}

/* The node's own keys that a bridge can have: the others belong to a node that runs. */
static int bridge_keys(struct clab *c, const struct clab_node *cn)
{
	const struct ynode *v = cn->chain[0];

	if (strchr(cn->key->value, '|'))
		return nsli_clab_err(c, cn->key, "bridge '%s': a bridge inside a node (NAME|NODE): not supported yet",
				     cn->key->value);

	for (size_t i = 0; v && i < v->n; i++) {
		const struct ckey *ck = ckey_find(v->keys[i]->value);

		if (ck && ck->what == CK_USE && !STREQ(ck->key, "kind") && !STREQ(ck->key, "group"))
			return nsli_clab_err(c, v->keys[i], "%s: a kind: bridge node runs nothing", ck->key);
	}
	return nsli_yput(c->bridges, cn->key, cn->key->value, nsli_ynew(Y_MAP, cn->key)) < 0 ? nomem(c) : 0;
}

/* ---- the translated keys ---- */

/* __clabNodeName__ and the other magic variables of containerlab, then the "${" escape. */
static char *node_str(struct clab *c, const struct clab_node *cn, const char *s)
{
	const char *from[] = { "__clabNodeName__", "__clabLabName__", "__clabNodeDir__", "__clabDir__" };
	_cleanup_free_ char *nodedir = NULL, *labname = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	const char *to[4];

	if (asprintf(&nodedir, "%s/%s", c->labdir, cn->key->value) < 0)
		return NULL;
	if (asprintf(&labname, CLAB_PREFIX "-%s", c->lab) < 0)
		return NULL;
	to[0] = cn->key->value, to[1] = labname, to[2] = nodedir, to[3] = c->labdir;
	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	for (const char *p = s; *p;) {
		size_t i;

		for (i = 0; i < ELEMENTSOF(from) && strncmp(p, from[i], strlen(from[i])); i++)
			;
		if (i < ELEMENTSOF(from)) {
			fputs(to[i], f);
			p += strlen(from[i]);
		} else {
			fputc(*p++, f);
		}
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	s = buf;
	buf = nsli_clab_escape(s);
	free((char *)s);
	return buf;
}

/* The lists @key of the chain, defaults first, each string once (MergeStringSlices()). */
static int merged_list(struct clab *c, const struct clab_node *cn, const char *key, struct ynode **ret)
{
	_cleanup_(nsli_topo_index_done) struct topo_index seen = { 0 };
	struct ynode *seq = NULL;
	int r = 0;

	for (int i = 3; r == 0 && i >= 0; i--) {
		const struct ynode *v = nsli_yget(cn->chain[i], key);

		if (!v || (v->type == Y_SCALAR && v->null))
			continue;
		r = nsli_clab_want(c, v, Y_SEQ, key);
		for (size_t k = 0; r == 0 && k < v->n; k++) {
			_cleanup_free_ char *s = NULL;

			r = nsli_clab_want(c, v->items[k], Y_SCALAR, key);
			if (r < 0)
				break;
			if (nsli_topo_index_add(&seen, 0, v->items[k]->value, strlen(v->items[k]->value), 0, NULL) == 0)
				continue;
			if (!seq && !(seq = nsli_ynew(Y_SEQ, v)))
				return nomem(c);
			s = node_str(c, cn, v->items[k]->value);
			if (!s || nsli_yadd(seq, NULL, nsli_yscalar(v->items[k], s)) < 0)
				r = nomem(c);
		}
	}
	if (r < 0) {
		nsli_ynode_free(seq);
		return r;
	}
	*ret = seq;
	return 0;
}

/* @map's key @k (a copy) set to @val (taken), replacing the value when @map has the key. */
static int map_set(struct ynode *map, const struct ynode *k, struct ynode *val)
{
	for (size_t j = 0; j < map->n; j++)
		if (STREQ(map->keys[j]->value, k->value)) {
			nsli_ynode_free(map->items[j]);
			map->items[j] = val;
			return 0;
		}
	return nsli_yadd(map, nsli_ycopy(k), val);
}

/* The mappings @key of the chain merged onto *@map (made when NULL), the node's value of a key
 * winning. */
static int merged_map(struct clab *c, const struct clab_node *cn, const char *key, bool expand,
		      struct ynode **map)
{
	for (int i = 3; i >= 0; i--) {
		const struct ynode *v = nsli_yget(cn->chain[i], key);

		if (!v || (v->type == Y_SCALAR && v->null))
			continue;
		if (nsli_clab_want(c, v, Y_MAP, key) < 0)
			return -EINVAL;
		if (!*map && !(*map = nsli_ynew(Y_MAP, v)))
			return nomem(c);
		for (size_t k = 0; k < v->n; k++) {
			struct ynode *val;

			if (nsli_clab_want(c, v->items[k], Y_SCALAR, key) < 0)
				return -EINVAL;
			val = nsli_ycopy(v->items[k]);
			if (val && expand) {
				free(val->value);
				val->value = node_str(c, cn, v->items[k]->value);
			}
			if (!val || !val->value) {
				nsli_ynode_free(val);
				return nomem(c);
			}
			if (map_set(*map, v->keys[k], val) < 0)
				return nomem(c);
		}
	}
	return 0;
}

/* `env-files` of the chain (defaults first), relative to the file's directory: their
 * variables, which `env` then overrides (containerlab's addEnvVarsToNodeCfg()). */
static int env_files(struct clab *c, const struct clab_node *cn, struct ynode **map)
{
	for (int i = 3; i >= 0; i--) {
		const struct ynode *v = nsli_yget(cn->chain[i], "env-files");

		if (!v || (v->type == Y_SCALAR && v->null))
			continue;
		if (nsli_clab_want(c, v, Y_SEQ, "env-files") < 0)
			return -EINVAL;
		for (size_t k = 0; k < v->n; k++) {
			_cleanup_free_ char *path = NULL;
			struct ynode *vars = NULL;
			unsigned line = 0;
			int r;

			if (nsli_clab_want(c, v->items[k], Y_SCALAR, "env-files") < 0)
				return -EINVAL;
			if (v->items[k]->value[0] == '/' || !c->dir)
				path = strdup(v->items[k]->value);
			else if (asprintf(&path, "%s/%s", c->dir, v->items[k]->value) < 0)
				path = NULL;
			if (!path || (!*map && !(*map = nsli_ynew(Y_MAP, v))))
				return nomem(c);
			r = nsli_clab_envfile(path, v->items[k], &vars, &line);
			for (size_t j = 0; r == 0 && j < vars->n; j++) {
				char *e = nsli_clab_escape(vars->items[j]->value);

				free(vars->items[j]->value);
				vars->items[j]->value = e;
				r = e ? map_set(*map, vars->keys[j], TAKE_PTR(vars->items[j])) : -ENOMEM;
			}
			nsli_ynode_free(vars);
			if (r == -ENOMEM)
				return nomem(c);
			if (r < 0 && line)
				return nsli_clab_err(c, v->items[k], "env-files '%s': line %u: expected NAME=VALUE",
						     v->items[k]->value, line);
			if (r < 0)
				return nsli_clab_err(c, v->items[k], "env-files '%s': %s", v->items[k]->value, strerror(-r));
		}
	}
	return 0;
}

/* `env`: the variables of `env-files`, then `env` of the chain. */
static int node_env(struct clab *c, struct clab_node *cn)
{
	struct ynode *map = NULL;
	int r = env_files(c, cn, &map);

	if (r == 0)
		r = merged_map(c, cn, "env", true, &map);
	if (r < 0 || !map) {
		nsli_ynode_free(map);
		return r;
	}
	return nsli_yput(cn->keys, map, "env", map) < 0 ? nomem(c) : 0;
}

/* A merged list or mapping as the native key @native (nothing when the chain gives none). */
static int put_merged(struct clab *c, struct clab_node *cn, const char *key, const char *native, bool map)
{
	struct ynode *v = NULL;
	int r = map ? merged_map(c, cn, key, false, &v) : merged_list(c, cn, key, &v);

	if (r < 0 || !v) {
		nsli_ynode_free(v);
		return r;
	}
	return nsli_yput(cn->keys, v, native, v) < 0 ? nomem(c) : 0;
}

/* `dns` (the first of the chain that has one): servers, search, options. */
static int node_dns(struct clab *c, struct clab_node *cn)
{
	static const char *const keys[][2] = { { "servers", "nameservers" }, { "search", "search" },
					       { "options", "options" } };
	const struct ynode *d = lookup(cn, "dns");
	struct ynode *out;
	int r;

	if (!d)
		return 0;
	r = nsli_clab_want(c, d, Y_MAP, "dns");
	if (r < 0)
		return r;
	out = nsli_ynew(Y_MAP, d);
	if (!out || nsli_yput(cn->keys, d, "dns", out) < 0)
		return nomem(c);
	for (size_t i = 0; i < d->n; i++) {
		size_t k;

		for (k = 0; k < ELEMENTSOF(keys) && !STREQ(keys[k][0], d->keys[i]->value); k++)
			;
		if (k == ELEMENTSOF(keys))
			return nsli_clab_err(c, d->keys[i], "unknown key '%s' in dns", d->keys[i]->value);
		if (nsli_yput(out, d->keys[i], keys[k][1], nsli_ycopy(d->items[i])) < 0)
			return nomem(c);
	}
	return 0;
}

/* `entrypoint` then `cmd`, split into words, as the node's supervised process (with `user`). */
static int node_run(struct clab *c, struct clab_node *cn)
{
	const struct ynode *ep = lookup(cn, "entrypoint"), *cmd = lookup(cn, "cmd"), *user = lookup(cn, "user");
	const struct ynode *parts[2] = { ep, cmd };
	struct ynode *run, *argv;

	if (!ep && !cmd)
		return user ? nsli_clab_warn(c, user, "user '%s' ignored: the node has no cmd or entrypoint to run",
					     user->type == Y_SCALAR ? user->value : "") : 0;
	run = nsli_ynew(Y_MAP, ep ? ep : cmd);
	if (!run || nsli_yput(cn->keys, run, "run", run) < 0)
		return nomem(c);
	argv = nsli_ynew(Y_SEQ, run);
	if (!argv || nsli_yput(run, run, "command", argv) < 0)
		return nomem(c);
	for (int i = 0; i < 2; i++) {
		_cleanup_free_ char *s = NULL;
		int r;

		if (!parts[i])
			continue;
		r = nsli_clab_want(c, parts[i], Y_SCALAR, i ? "cmd" : "entrypoint");
		if (r < 0)
			return r;
		s = node_str(c, cn, parts[i]->value);
		if (!s)
			return nomem(c);
		r = nsli_clab_words(s, parts[i], argv);
		if (r == -EINVAL)
			return nsli_clab_err(c, parts[i], "%s '%s': a quote without its end", i ? "cmd" : "entrypoint",
					     parts[i]->value);
		if (r < 0)
			return nomem(c);
	}
	if (!user)
		return 0;
	if (nsli_clab_want(c, user, Y_SCALAR, "user") < 0)
		return -EINVAL;
	return nsli_yput(run, user, "user", nsli_ycopy(user)) < 0 ? nomem(c) : 0;
}

/* `network-mode`: none takes the node off the management network; host and container:
 * share another namespace, not done yet. */
static int node_netmode(struct clab *c, struct clab_node *cn)
{
	const struct ynode *m = lookup(cn, "network-mode"), *h = lookup(cn, "hostname");

	cn->mgmt = c->mgmt_br[0] != '\0';
	if (h && (h->type != Y_SCALAR || !STREQ(h->value, cn->key->value)))
		return nsli_clab_err(c, h, "hostname '%s': a node's hostname is its name ('%s')",
				     h->type == Y_SCALAR ? h->value : "", cn->key->value);
	/* Only a supervised node has a UTS namespace, and so a hostname of its own. */
	if (h && !lookup(cn, "cmd") && !lookup(cn, "entrypoint") && nsli_clab_warn(c, h,
		"hostname '%s' ignored: only a node with cmd or entrypoint has a hostname of its own", h->value) < 0)
		return -EINVAL;
	if (!m)
		return 0;
	if (m->type == Y_SCALAR && STREQ(m->value, "none")) {
		cn->mgmt = false;
		return 0;
	}
	if (m->type == Y_SCALAR && (STREQ(m->value, "host") || !strncmp(m->value, "container:", 10)))
		return nsli_clab_err(c, m, "network-mode '%s': not supported yet", m->value);
	return nsli_clab_err(c, m, "network-mode: expected none, host or container:NODE");
}

/* The native keys of node @cn, from its chain. */
static int node_build(struct clab *c, struct clab_node *cn)
{
	int r;

	cn->ifaces = nsli_ynew(Y_MAP, cn->key);
	cn->keys = nsli_ynew(Y_MAP, cn->key);
	if (!cn->ifaces || !cn->keys)
		return nomem(c);
	cn->mgmt4 = nsli_yget(cn->chain[0], "mgmt-ipv4");
	cn->mgmt6 = nsli_yget(cn->chain[0], "mgmt-ipv6");
	r = node_netmode(c, cn);
	if (r == 0)
		r = put_merged(c, cn, "sysctls", "sysctls", true);
	if (r == 0)
		r = node_dns(c, cn);
	if (r == 0)
		r = node_env(c, cn);
	if (r == 0)
		r = put_merged(c, cn, "binds", "binds", false);
	if (r == 0)
		r = node_run(c, cn);
	if (r == 0)
		r = put_merged(c, cn, "exec", "exec", false);
	return r;
}

/* `topology.nodes`: each node's chain, kind and native keys. */
static int load_nodes(struct clab *c)
{
	const struct ynode *v = c->nodes;
	int r;

	if (!v)
		return nsli_clab_err(c, c->topology, "topology: 'nodes' is required");
	r = nsli_clab_want(c, v, Y_MAP, "nodes");
	if (r < 0)
		return r;
	c->n = calloc(v->n + 1, sizeof(*c->n));
	if (!c->n)
		return nomem(c);
	for (size_t i = 0; i < v->n; i++) {
		struct clab_node *cn = &c->n[c->nn++];

		cn->key = v->keys[i];
		if (nsli_topo_index_add(&c->ix, 0, cn->key->value, strlen(cn->key->value), (int)i, NULL) < 0)
			return nomem(c);
		r = check_keys(c, v->items[i], "node");
		if (r == 0)
			r = node_chain(c, cn, v->items[i]);
		if (r == 0)
			r = node_kind(c, cn);
		if (r == 0)
			r = cn->bridge ? bridge_keys(c, cn) : node_build(c, cn);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- the top level ---- */

#define SEC(k, f)                                                                                  \
	{                                                                                          \
		k, offsetof(struct clab, f)                                                         \
	}

static const struct {
	const char *key;
	size_t off;
} top_secs[] = { SEC("name", name_y), SEC("prefix", prefix_y), SEC("mgmt", mgmt), SEC("topology", topology) },
  topo_secs[] = { SEC("defaults", defaults), SEC("kinds", kinds), SEC("groups", groups), SEC("nodes", nodes),
		  SEC("links", links) };

/* The keys of mapping @v into the section pointers of @c; @warn: keys warned about. */
static int sections(struct clab *c, const struct ynode *v, const char *what, bool top)
{
	size_t n = top ? ELEMENTSOF(top_secs) : ELEMENTSOF(topo_secs);
	int r = nsli_clab_want(c, v, Y_MAP, what);

	for (size_t i = 0; r == 0 && i < v->n; i++) {
		const char *k = v->keys[i]->value;
		size_t s;

		for (s = 0; s < n && !STREQ(k, top ? top_secs[s].key : topo_secs[s].key); s++)
			;
		if (s < n)
			*(const struct ynode **)((char *)c + (top ? top_secs[s].off : topo_secs[s].off)) = v->items[i];
		else if (top && (STREQ(k, "settings") || STREQ(k, "debug")))
			r = nsli_clab_warn(c, v->keys[i], "%s ignored: nodes have no container runtime", k);
		else
			r = nsli_clab_err(c, v->keys[i], "unknown key '%s' in %s", k, what);
	}
	return r;
}

/* `name` and `prefix`: netns names are PREFIX-LAB-NODE (prefix "clab" by default), or NODE
 * with `prefix: ""`, or LAB-NODE with `prefix: __lab-name`. */
static int load_name(struct clab *c)
{
	const struct ynode *p = c->prefix_y;
	const char *prefix = CLAB_PREFIX;
	int r;

	if (!c->name_y)
		return nsli_clab_err(c, c->root, "'name' is required");
	r = nsli_clab_want(c, c->name_y, Y_SCALAR, "name");
	if (r == 0 && p && p->type != Y_SCALAR)
		r = nsli_clab_err(c, p, "prefix: expected a string");
	if (r < 0)
		return r;
	/* `prefix:` with no value is no prefix given (containerlab's nil), "" is an empty one */
	if (p && !p->null)
		prefix = p->value;
	c->lab = strdup(c->name_y->value);
	if (!c->lab)
		return nomem(c);
	if (!*prefix)
		c->prefix = strdup("");
	else if (STREQ(prefix, "__lab-name"))
		r = asprintf(&c->prefix, "%s-", c->lab);
	else
		r = asprintf(&c->prefix, "%s-%s-", prefix, c->lab);
	if (r < 0 || !c->prefix)
		return nomem(c);
	/* containerlab's lab directory: clab-LAB beside the file, or under $CLAB_LABDIR_BASE */
	r = asprintf(&c->labdir, "%s/" CLAB_PREFIX "-%s",
		     secure_getenv("CLAB_LABDIR_BASE") ? secure_getenv("CLAB_LABDIR_BASE") : c->dir ? c->dir : ".",
		     c->lab);
	return r < 0 ? nomem(c) : 0;
}

/* Bridges of the file that exist in the root netns already: refused, nslab would not use them. */
static int bridges_absent(struct clab *c)
{
	for (size_t i = 0; c->o && c->o->ctx && i < c->bridges->n; i++) {
		const struct ynode *k = c->bridges->keys[i];
		int r = nsl_link_exists(c->o->ctx, NULL, k->value, NULL);

		if (r == 1) {
			nsli_clab_err(c, k, "bridge '%s' exists in the root netns: using an existing bridge is not supported yet (the lab makes its own, %s-%s)",
				      k->value, c->lab, k->value);
			if (c->err)
				c->err->kind = NSL_E_CONFLICT;
			return -EEXIST;
		}
	}
	return 0;
}

/* The native tree: name, prefix, bridges, nodes (interfaces first), links. */
static int assemble(struct clab *c, struct ynode **ret)
{
	struct ynode *root = nsli_ynew(Y_MAP, c->root), *nodes = nsli_ynew(Y_MAP, c->nodes);
	int r = root && nodes ? 0 : -ENOMEM;

	if (r == 0)
		r = nsli_yput_str(root, c->name_y, "name", c->lab);
	if (r == 0)
		r = nsli_yput_str(root, c->prefix_y ? c->prefix_y : c->name_y, "prefix", c->prefix);
	if (r == 0 && c->bridges->n)
		r = nsli_yput(root, c->bridges, "bridges", TAKE_PTR(c->bridges));
	if (r == 0)
		r = nsli_yput(root, c->nodes, "nodes", TAKE_PTR(nodes));
	for (size_t i = 0; r == 0 && i < c->nn; i++) {
		struct clab_node *cn = &c->n[i];
		struct ynode *n;

		if (cn->bridge)
			continue;
		n = nsli_ynew(Y_MAP, cn->key);
		r = nsli_yput(root->items[root->n - 1], cn->key, cn->key->value, n);
		if (r == 0 && cn->ifaces->n)
			r = nsli_yput(n, cn->ifaces, "interfaces", TAKE_PTR(cn->ifaces));
		for (size_t k = 0; r == 0 && k < cn->keys->n; k++) {
			r = nsli_yadd(n, cn->keys->keys[k], cn->keys->items[k]);
			cn->keys->keys[k] = cn->keys->items[k] = NULL;
		}
	}
	if (r == 0 && c->out_links->n)
		r = nsli_yput(root, c->links, "links", TAKE_PTR(c->out_links));
	nsli_ynode_free(nodes);
	if (r < 0) {
		nsli_ynode_free(root);
		return nomem(c);
	}
	*ret = root;
	return 0;
}

static void clab_done(struct clab *c)
{
	for (size_t i = 0; i < c->nn; i++) {
		nsli_ynode_free(c->n[i].ifaces);
		nsli_ynode_free(c->n[i].keys);
	}
	free(c->n);
	nsli_topo_index_done(&c->ix);
	nsli_topo_index_done(&c->used);
	nsli_ynode_free(c->bridges);
	nsli_ynode_free(c->out_links);
	free(c->lab);
	free(c->prefix);
	free(c->labdir);
}

static void nsli_ynode_freep(struct ynode **n)
{
	nsli_ynode_free(*n);
}

bool nsli_clab_is(const struct ynode *root)
{
	return nsli_yget(root, "topology") != NULL;
}

int nsli_clab_load(const char *path, const char *dir, const struct ynode *root,
		   const struct nsl_topo_load_opts *o, struct ynode **ret_tree, char **ret_text,
		   size_t *ret_len, struct nsl_err *err)
{
	_cleanup_(nsli_ynode_freep) struct ynode *x = nsli_clab_expand(root);
	struct clab c = { .path = path, .o = o, .err = err, .dir = dir, .root = x };
	struct ynode *tree = NULL;
	int r;

	c.bridges = nsli_ynew(Y_MAP, root);
	c.out_links = nsli_ynew(Y_SEQ, root);
	r = x && c.bridges && c.out_links ? sections(&c, x, "the lab", true) : nomem(&c);
	if (r == 0)
		r = sections(&c, c.topology, "topology", false);
	if (r == 0)
		r = load_name(&c);
	if (r == 0)
		r = nsli_clab_mgmt_bridge(&c);
	if (r == 0 && c.defaults)
		r = check_keys(&c, c.defaults, "defaults");
	if (r == 0)
		r = check_section(&c, c.kinds, "kind");
	if (r == 0)
		r = check_section(&c, c.groups, "group");
	if (r == 0)
		r = load_nodes(&c);
	if (r == 0)
		r = nsli_clab_mgmt(&c);
	if (r == 0)
		r = nsli_clab_links(&c);
	if (r == 0)
		r = bridges_absent(&c);
	if (r == 0)
		r = assemble(&c, &tree);
	if (r == 0 && nsli_yemit(tree, "# nslab convert: the native form of a containerlab file\n", ret_text,
				 ret_len) < 0)
		r = nomem(&c);
	clab_done(&c);
	if (r < 0) {
		nsli_ynode_free(tree);
		return r;
	}
	*ret_tree = tree;
	return 0;
}
