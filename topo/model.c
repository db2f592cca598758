// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Topology files: nsl_topo_load() reads the file, walks its sections in the order that lets
 * each refer to the ones before (the keys of each object are schema.c's), then validates the
 * model as a whole (validate.c) before anything touches the kernel.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "clab.h"
#include "core.h"
#include "macro.h"
#include "model-internal.h"

/* Endpoint @e of link @k ("NODE:INTERFACE", @s): the interface, made when the node has none
 * of that name yet, and never in two links or on a bridge as well. */
static int link_end(struct ld *ld, struct nsl_topo_link *l, size_t k, int e, const struct ynode *s)
{
	struct nsl_topo *t = ld->t;
	_cleanup_free_ char *node = strdup(s->value);
	char *colon = node ? strchr(node, ':') : NULL;
	struct nsl_err pe = { 0 };
	int ni, ii;

	if (!node)
		return nsli_nomem(ld);
	if (!colon)
		return nsli_yerr(ld->err, s, "endpoint '%s': expected NODE:INTERFACE", s->value);
	*colon = '\0';
	ni = nsli_find_node(ld, node);
	if (ni < 0)
		return nsli_yerr(ld->err, s, "endpoint '%s': no node '%s'", s->value, node);
	if (nsl_parse_ifname(colon + 1, &pe) < 0 || STREQ(colon + 1, "lo"))
		return nsli_yerr(ld->err, s, "endpoint '%s': interface: %s", s->value,
			    pe.msg[0] ? pe.msg : "'lo' cannot be linked");
	ii = nsli_find_iface(ld, (size_t)ni, colon + 1);
	if (ii < 0) {
		ii = nsli_iface_new(ld, &t->nodes[ni], colon + 1, POS(s));
		if (ii < 0)
			return ii;
	}
	if (t->nodes[ni].ifaces[ii].link_idx >= 0 || t->nodes[ni].ifaces[ii].bridge)
		return nsli_yerr(ld->err, s, "interface '%s' is used twice (%s)", s->value,
			    t->nodes[ni].ifaces[ii].bridge ? "it is on a bridge"
							   : "it is in another link");
	t->nodes[ni].ifaces[ii].link_idx = (int)k;
	l->ep[e].node = ni;
	l->ep[e].iface = ii;
	return 0;
}

static int load_links(struct ld *ld, const struct ynode *v)
{
	struct nsl_topo *t = ld->t;
	int r = v->type == Y_SCALAR && v->null ? 0 : nsli_want(ld, v, Y_SEQ, "links");

	if (r < 0 || v->type != Y_SEQ)
		return r;
	for (size_t k = 0; k < v->n; k++) {
		const struct ynode *endpoints = NULL;
		struct nsl_topo_link *l;

		t->links = nsli_grow(ld, t->links, t->n_links, sizeof(*t->links));
		if (!t->links)
			return nsli_nomem(ld);
		l = &t->links[t->n_links++];
		r = nsli_link_keys(ld, v->items[k], l, &endpoints);
		for (int e = 0; r == 0 && e < 2; e++)
			r = link_end(ld, l, k, e, endpoints->items[e]);
		if (r < 0)
			return r;
	}
	return 0;
}

static int load_name(struct ld *ld, const struct ynode *root, const struct top_ld *top)
{
	struct nsl_topo *t = ld->t;
	struct nsl_err e = { 0 };
	int r;

	if (!top->name)
		return nsli_yerr(ld->err, root, "'name' is required");
	r = nsli_get_str(ld, top->name, "name", &t->name);
	if (r < 0)
		return r;
	if (nsl_parse_labname(t->name, &e) < 0)
		return nsli_yerr(ld->err, top->name, "lab name '%s': %s", t->name, e.msg);
	if (top->prefix && top->prefix->type != Y_SCALAR)
		return nsli_yerr(ld->err, top->prefix, "prefix: expected a string, got %s", nsli_type_name(top->prefix));
	t->prefix = strdup(top->prefix && !top->prefix->null ? top->prefix->value : "");
	return t->prefix ? 0 : nsli_nomem(ld);
}

static int load_nodes(struct ld *ld, const struct ynode *root, const struct ynode *v)
{
	struct nsl_topo *t = ld->t;
	struct nsl_err e = { 0 };
	int r;

	if (!v)
		return nsli_yerr(ld->err, root, "'nodes' is required");
	r = nsli_want(ld, v, Y_MAP, "nodes");
	if (r < 0)
		return r;
	if (v->n == 0)
		return nsli_yerr(ld->err, v, "nodes: a lab needs at least one node");
	if (v->n > INT32_MAX)
		return nsli_yerr(ld->err, v, "nodes: too many");
	t->nodes = calloc(v->n, sizeof(*t->nodes));
	if (!t->nodes)
		return nsli_nomem(ld);
	ld->nodes_y = v;
	for (size_t k = 0; k < v->n; k++) {
		struct nsl_topo_node *node = &t->nodes[t->n_nodes++];
		const struct ynode *key = v->keys[k], *tree = NULL;
		char netns[256];

		node->pos = POS(key);
		if (nsl_parse_nsname(key->value, &e) < 0)
			return nsli_yerr(ld->err, key, "node name '%s': %s", key->value, e.msg);
		snprintf(netns, sizeof(netns), "%s%s", t->prefix, key->value);
		if (nsl_parse_nsname(netns, &e) < 0)
			return nsli_yerr(ld->err, key, "netns name '%s': %s", netns, e.msg);
		node->name = strdup(key->value);
		node->netns = strdup(netns);
		if (!node->name || !node->netns)
			return nsli_nomem(ld);
		/* Unique: keys of one mapping. Netns names too, then: one prefix for all. */
		if (nsli_topo_index_add(&ld->nodes, 0, node->name, strlen(node->name), (int)k, NULL) < 0)
			return nsli_nomem(ld);
		r = nsli_node_tree(ld, v->items[k], &tree);
		if (r == 0)
			r = nsli_node_keys(ld, tree, node);
		if (tree != v->items[k])
			nsli_ymerge_free((struct ynode *)tree);
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
	r = nsli_want(ld, v, Y_MAP, "bridges");
	if (r < 0)
		return r;
	if (v->n > INT32_MAX)
		return nsli_yerr(ld->err, v, "bridges: too many");
	t->bridges = calloc(v->n + 1, sizeof(*t->bridges));
	if (!t->bridges)
		return nsli_nomem(ld);
	for (size_t k = 0; k < v->n; k++) {
		struct nsl_topo_bridge *b = &t->bridges[t->n_bridges++];
		const struct ynode *key = v->keys[k];

		b->pos = POS(key);
		b->node_idx = -1;
		if (nsl_parse_ifname(key->value, &e) < 0)
			return nsli_yerr(ld->err, key, "bridge name '%s': %s", key->value, e.msg);
		b->name = strdup(key->value);
		if (!b->name || nsli_topo_index_add(&ld->bridges, 0, b->name, strlen(b->name), (int)k, NULL) < 0)
			return nsli_nomem(ld);
		r = nsli_bridge_keys(ld, v->items[k], b);
		if (r < 0)
			return r;
		if (b->node) {
			b->node_idx = nsli_find_node(ld, b->node);
			if (b->node_idx < 0)
				return nsli_yerr(ld->err, key, "bridge '%s': no node '%s' for its netns", b->name,
					    b->node);
			snprintf(b->ifname, sizeof(b->ifname), "%s", b->name);
		}
		snprintf(b->altname, sizeof(b->altname), "%s.%s", t->name, b->name);
	}
	return 0;
}

static int copy_strv(struct ld *ld, char ***v, size_t *n, char *const *src, size_t n_src)
{
	for (size_t i = 0; i < n_src; i++)
		if (nsli_push_str(ld, v, n, src[i]) < 0)
			return nsli_nomem(ld);
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
			return nsli_nomem(ld);
		node->dns = d;
		d->nameservers = malloc(sizeof(struct nsl_prefix) * dd->n_nameservers);
		if (!d->nameservers)
			return nsli_nomem(ld);
		memcpy(d->nameservers, dd->nameservers, sizeof(struct nsl_prefix) * dd->n_nameservers);
		d->n_nameservers = dd->n_nameservers;
		if (copy_strv(ld, &d->search, &d->n_search, dd->search, dd->n_search) < 0 ||
		    copy_strv(ld, &d->options, &d->n_options, dd->options, dd->n_options) < 0)
			return nsli_nomem(ld);
	}
	if (ld->n_def_sysctls && !ld->def_has) {
		ld->def_has = calloc(ld->n_def_sysctls, sizeof(bool));
		if (!ld->def_has)
			return nsli_nomem(ld);
		for (size_t k = 0; k < ld->n_def_sysctls; k++)
			if (nsli_topo_index_add(&ld->def_ix, 0, ld->def_sysctls[k].key, strlen(ld->def_sysctls[k].key),
					   (int)k, NULL) < 0)
				return nsli_nomem(ld);
	}
	if (ld->def_has)
		memset(ld->def_has, 0, ld->n_def_sysctls * sizeof(bool));
	for (size_t s = 0; s < n_own && ld->def_has; s++) {
		int k = nsli_topo_index_find(&ld->def_ix, 0, node->sysctls[s].key, strlen(node->sysctls[s].key));

		if (k >= 0)
			ld->def_has[k] = true;
	}
	for (size_t k = 0; k < ld->n_def_sysctls; k++) {
		const struct nsl_topo_kv *kv = &ld->def_sysctls[k];
		struct nsl_topo_kv *nkv;

		if (ld->def_has[k])
			continue;
		node->sysctls = nsli_grow(ld, node->sysctls, node->n_sysctls, sizeof(*node->sysctls));
		if (!node->sysctls)
			return nsli_nomem(ld);
		nkv = &node->sysctls[node->n_sysctls++];
		nkv->key = strdup(kv->key);
		nkv->value = strdup(kv->value);
		nkv->pos = kv->pos;
		if (!nkv->key || !nkv->value)
			return nsli_nomem(ld);
	}
	return 0;
}

/* `defaults`, into every node, once the nodes are valid. */
static int merge_all_defaults(struct ld *ld)
{
	int r = 0;

	for (size_t ni = 0; r == 0 && ni < ld->t->n_nodes; ni++)
		r = merge_defaults(ld, ni);
	return r;
}

static int load_expects(struct ld *ld, const struct ynode *v)
{
	struct nsl_topo *t = ld->t;
	int r;

	if (!v || (v->type == Y_SCALAR && v->null))
		return 0;
	r = nsli_want(ld, v, Y_SEQ, "expect");
	if (r < 0)
		return r;
	for (size_t k = 0; k < v->n; k++) {
		const struct ynode *from = NULL;
		struct nsl_topo_expect *x;

		t->expects = nsli_grow(ld, t->expects, t->n_expects, sizeof(*t->expects));
		if (!t->expects)
			return nsli_nomem(ld);
		x = &t->expects[t->n_expects++];
		r = nsli_expect_keys(ld, v->items[k], x, &from);
		if (r < 0)
			return r;
		x->from = nsli_find_node(ld, from->value);
		if (x->from < 0)
			return nsli_yerr(ld->err, from, "expect: no node '%s'", from->value);
		r = nsli_resolve_expect(ld, x, NULL);
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

	r = nsli_top_keys(ld, root, &top);
	if (r == 0)
		r = load_name(ld, root, &top);
	if (r == 0 && top.stop_timeout)
		r = nsli_top_stop_timeout(ld, top.stop_timeout);
	if (r == 0 && top.groups)
		r = nsli_groups_keys(ld, top.groups);
	if (r == 0 && top.defaults)
		r = nsli_defaults_keys(ld, top.defaults);
	if (r == 0)
		r = load_nodes(ld, root, top.nodes);
	if (r == 0)
		r = load_bridges(ld, top.bridges);
	if (r == 0)
		r = nsli_resolve_ports(ld);
	if (r == 0)
		r = nsli_validate_ports(ld);
	if (r == 0 && top.links)
		r = load_links(ld, top.links);
	if (r == 0)
		r = nsli_validate_link_mtus(ld);
	if (r == 0)
		r = nsli_validate_bridges(ld);
	if (r == 0)
		r = nsli_validate_nodes(ld);
	if (r == 0)
		r = merge_all_defaults(ld);
	if (r == 0)
		r = nsli_validate_segments(ld);
	if (r == 0)
		r = nsli_validate_names(ld);
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

static void procs_free(struct nsl_topo_proc *p, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		free(p[k].name);
		nsl_strv_free(p[k].argv, 0);
		nsl_strv_free(p[k].env, 0);
		free(p[k].wd);
	}
	free(p);
}

/* What the keys of DESIGN §5.2 gave the node. n->run is procs[0].argv, not a copy. */
static void node_sw_free(struct nsl_topo_node *n)
{
	procs_free(n->procs, n->n_procs);
	for (size_t k = 0; k < n->n_mounts; k++) {
		free(n->mounts[k].src);
		free(n->mounts[k].target);
	}
	free(n->mounts);
	for (size_t k = 0; k < n->n_files; k++) {
		free(n->files[k].path);
		free(n->files[k].content);
	}
	free(n->files);
	nsl_strv_free(n->env, n->n_env);
	free(n->group);
	free(n->rootfs);
	free(n->ready);
	free(n->loopback);
}

static void node_free(struct nsl_topo_node *n)
{
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
	node_sw_free(n);
	nsl_strv_free(n->exec, n->n_exec);
	free(n->name);
	free(n->netns);
}

_public_ struct nsl_topo *nsl_topo_free(struct nsl_topo *t)
{
	if (!t)
		return NULL;
	for (size_t i = 0; i < t->n_nodes; i++)
		node_free(&t->nodes[i]);
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
	free(t->dir);
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

/* The text to load, a copy of @text (@len bytes, the caller's). */
static int copy_text(struct nsl_topo *t, const char *path, const char *text, size_t len,
		     struct nsl_err *err)
{
	if (len > NSL_TOPO_MAX_SIZE)
		return nsl_err_set(err, NSL_E_USAGE, -EFBIG, path, "file larger than 4 MiB");
	t->text = malloc(len + 1);
	if (!t->text)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, path, NULL);
	memcpy(t->text, text, len);
	t->text[len] = '\0';
	t->text_len = len;
	return 0;
}

/* An empty model that holds its path and its text: @text when given, else the file @path. */
static int topo_new(const char *path, const char *text, size_t len, struct nsl_topo **ret,
		    struct nsl_err *err)
{
	struct nsl_topo *t = calloc(1, sizeof(*t));
	int r;

	if (!t)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, path, NULL);
	t->path = strdup(path ? path : "-");
	if (!t->path)
		r = nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, path, NULL);
	else if (text)
		r = copy_text(t, path, text, len, err);
	else
		r = read_file(path, &t->text, &t->text_len, err);
	if (r < 0) {
		nsl_topo_free(t);
		return r;
	}
	*ret = t;
	return 0;
}

/* The loader's own state; the model it built is the caller's. */
static void ld_done(struct ld *ld)
{
	nsli_topo_index_done(&ld->nodes);
	nsli_topo_index_done(&ld->bridges);
	nsli_topo_index_done(&ld->ifaces);
	nsli_topo_index_done(&ld->def_ix);
	nsli_topo_index_done(&ld->groups);
	nsli_topo_index_done(&ld->owners_ix);
	for (size_t i = 0; i < ld->n_owners; i++)
		free(ld->owners[i].text);
	free(ld->owners);
	free(ld->first);
	free(ld->def_has);
	dns_free(ld->def_dns);
	if (ld->def_sysctls) {
		for (size_t i = 0; i < ld->n_def_sysctls; i++) {
			free(ld->def_sysctls[i].key);
			free(ld->def_sysctls[i].value);
		}
		free(ld->def_sysctls);
	}
}

/*
 * The directory relative sources are taken from: the file's (its directory as given, made
 * absolute: a symlink to the file does not move it), or the current one for text without a
 * file. NULL, not an error, when the current directory is gone: only a relative source needs it.
 */
static int topo_dir(struct nsl_topo *t, const char *path, const struct nsli_load_opts *o, struct nsl_err *err)
{
	_cleanup_free_ char *cwd = NULL, *copy = NULL;
	const char *slash = path && !STREQ(path, "-") ? strrchr(path, '/') : NULL;

	if (o && o->dir)
		t->dir = strdup(o->dir);
	else if (slash && path[0] == '/')
		t->dir = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
	else if (!(cwd = getcwd(NULL, 0)))
		return 0;
	else if (!slash)
		t->dir = TAKE_PTR(cwd);
	else if (!(copy = strndup(path, (size_t)(slash - path))) || asprintf(&t->dir, "%s/%s", cwd, copy) < 0)
		t->dir = NULL;
	return t->dir ? 0 : nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, path, NULL);
}

_public_ int nsl_topo_load(const char *path, const char *text, size_t len, struct nsl_topo **ret,
			   struct nsl_err *err)
{
	return nsli_topo_load_opts(path, text, len, NULL, ret, err);
}

_public_ int nsl_topo_load_opts(const char *path, const char *text, size_t len,
				const struct nsl_topo_load_opts *o, struct nsl_topo **ret, struct nsl_err *err)
{
	return nsli_topo_load_opts(path, text, len, &(struct nsli_load_opts){ .pub = o }, ret, err);
}

/* A containerlab file: its native tree replaces @root, its native text the file's. */
static int load_clab(struct nsl_topo *t, const struct nsli_load_opts *o, struct ynode **root,
		     struct nsl_err *err)
{
	struct ynode *native = NULL;
	char *text = NULL;
	size_t len = 0;
	int r = nsli_clab_load(t->path, t->dir, *root, o ? o->pub : NULL, &native, &text, &len, err);

	if (r < 0)
		return r;
	nsli_ynode_free(*root);
	*root = native;
	free(t->text);
	t->text = text;
	t->text_len = len;
	t->clab = true;
	return 0;
}

int nsli_topo_load_opts(const char *path, const char *text, size_t len, const struct nsli_load_opts *o,
			struct nsl_topo **ret, struct nsl_err *err)
{
	struct nsl_topo *t = NULL;
	struct ynode *root = NULL;
	struct ld ld = { .err = err, .no_fs_checks = o && o->no_fs_checks };
	int r = topo_new(path, text, len, &t, err);

	if (r < 0)
		return r;
	ld.t = t;
	r = topo_dir(t, path, o, err);
	if (r >= 0)
		r = nsli_yaml_load(t->text, t->text_len, &root, err);
	if (r >= 0 && nsli_clab_is(root))
		r = load_clab(t, o, &root, err);
	if (r >= 0)
		r = load_top(&ld, root);
	if (r < 0 && err)
		snprintf(err->object, sizeof(err->object), "%s", t->path);
	nsli_ynode_free(root);
	ld_done(&ld);
	if (r < 0) {
		nsl_topo_free(t);
		return r;
	}
	*ret = t;
	return 0;
}
