// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Strict YAML: libyaml's event API (never its document loader, which expands aliases and
 * so invites the "billion laughs" bomb), building a tree whose every node keeps its position.
 * Anything a lab file has no use for is an error: anchors, aliases, tags, several documents.
 */
#include <stdarg.h>
#include <stdint.h>
#include <yaml.h>

#include "utf8.h"
#include "macro.h"
#include "nslab/topo.h"
#include "yaml.h"

int nsli_yerr(struct nsl_err *err, const struct ynode *n, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -EINVAL;
	nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL, NULL);
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	err->line = n ? n->line : 0;
	err->column = n ? n->column : 0;
	return -EINVAL;
}

static int mark_err(struct nsl_err *err, const yaml_mark_t *m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int mark_err(struct nsl_err *err, const yaml_mark_t *m, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -EINVAL;
	nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL, NULL);
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	err->line = (unsigned)m->line + 1;
	err->column = (unsigned)m->column + 1;
	return -EINVAL;
}

void nsli_ynode_free(struct ynode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++) {
		if (n->keys)
			nsli_ynode_free(n->keys[i]);
		nsli_ynode_free(n->items[i]);
	}
	free(n->keys);
	free(n->items);
	free(n->value);
	free(n);
}

static int parser_err(yaml_parser_t *p, struct nsl_err *err)
{
	const char *what = p->problem ? p->problem : "malformed YAML";

	if (p->error == YAML_MEMORY_ERROR)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	if (p->error == YAML_READER_ERROR) {
		yaml_mark_t m = { .index = p->problem_offset };
		/* The reader reports only a byte offset: turn it into a line, as an editor would. */
		m.line = p->mark.line;
		m.column = p->mark.column;
		return mark_err(err, &m, "%s (the file must be UTF-8)", what);
	}
	if (p->context)
		return mark_err(err, &p->problem_mark, "%s %s", p->context, what);
	return mark_err(err, &p->problem_mark, "%s", what);
}

static int next(yaml_parser_t *p, yaml_event_t *ev, struct nsl_err *err)
{
	if (!yaml_parser_parse(p, ev))
		return parser_err(p, err);
	return 0;
}

static struct ynode *ynode_new(enum ynode_type type, const yaml_mark_t *m)
{
	struct ynode *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->type = type;
	n->line = (unsigned)m->line + 1;
	n->column = (unsigned)m->column + 1;
	return n;
}

/*
 * Append @item (and @key, in a mapping) to @parent. The capacity is not kept: it follows from
 * the length (greedy_cap(), what GREEDY_REALLOC makes from a start of 4). Most collections of
 * a lab file hold one to three children: at a start of 16, a lab of 24,000 nodes took a
 * quarter more memory to load (117 MiB, then 146 MiB).
 */
static int push(struct ynode *parent, struct ynode *key, struct ynode *item)
{
	size_t cap = greedy_cap(parent->n), kcap = cap;

	if (!GREEDY_REALLOC(parent->items, cap, parent->n + 1))
		return -ENOMEM;
	if (parent->type == Y_MAP && !GREEDY_REALLOC(parent->keys, kcap, parent->n + 1))
		return -ENOMEM;
	if (parent->type == Y_MAP)
		parent->keys[parent->n] = key;
	parent->items[parent->n++] = item;
	return 0;
}

static int check_props(const yaml_event_t *ev, const yaml_char_t *anchor, const yaml_char_t *tag,
		       struct nsl_err *err)
{
	if (anchor)
		return mark_err(err, &ev->start_mark, "anchors (&%s) are not allowed", anchor);
	if (tag)
		return mark_err(err, &ev->start_mark, "tags (%s) are not allowed", tag);
	return 0;
}

static int parse_node(yaml_parser_t *p, yaml_event_t *ev, unsigned depth, struct ynode **ret,
		      struct nsl_err *err);

/*
 * The index of @key among the keys of @coll so far, -1 when new (it is then in @ix as the next
 * one), -ENOMEM. A scan while the mapping is small; an index once it is not: `nodes` may hold
 * 200,000 keys.
 */
static int key_seen(const struct ynode *coll, struct topo_index *ix, const char *key)
{
	int old = -1, r;

	if (coll->n < 8) {
		for (size_t i = 0; i < coll->n; i++)
			if (STREQ(coll->keys[i]->value, key))
				return (int)i;
		return -1;
	}
	if (coll->n > INT32_MAX)
		return -ENOMEM;
	for (size_t i = ix->n; i < coll->n; i++) {
		r = nsli_topo_index_add(ix, 0, coll->keys[i]->value, strlen(coll->keys[i]->value), (int)i, NULL);
		if (r < 0)
			return r;
	}
	r = nsli_topo_index_add(ix, 0, key, strlen(key), (int)coll->n, &old);
	if (r < 0)
		return r;
	return r ? -1 : old;
}

/* Parse the children of a collection whose start event was just consumed. */
static int parse_children(yaml_parser_t *p, struct ynode *coll, unsigned depth, struct nsl_err *err)
{
	_cleanup_(nsli_topo_index_done) struct topo_index keys = { 0 };

	for (;;) {
		yaml_event_t ev;
		struct ynode *key = NULL, *val = NULL;
		int r = next(p, &ev, err);

		if (r < 0)
			return r;
		if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		if (coll->type == Y_MAP) {
			if (ev.type != YAML_SCALAR_EVENT) {
				r = ev.type == YAML_ALIAS_EVENT
					    ? mark_err(err, &ev.start_mark, "aliases are not allowed")
					    : mark_err(err, &ev.start_mark, "a key must be a plain string");
				yaml_event_delete(&ev);
				return r;
			}
			r = parse_node(p, &ev, depth + 1, &key, err);
			if (r < 0)
				return r;
			r = key_seen(coll, &keys, key->value);
			if (r >= 0) {
				r = nsli_yerr(err, key, "duplicate key '%s' (first at line %u)", key->value,
					 coll->keys[r]->line);
				nsli_ynode_free(key);
				return r;
			}
			if (r == -ENOMEM) {
				nsli_ynode_free(key);
				return nsl_err_set(err, NSL_E_SYSTEM, r, NULL, NULL);
			}
			r = next(p, &ev, err);
			if (r < 0) {
				nsli_ynode_free(key);
				return r;
			}
		}
		r = parse_node(p, &ev, depth + 1, &val, err);
		if (r >= 0)
			r = push(coll, key, val);
		if (r < 0) {
			nsli_ynode_free(key);
			nsli_ynode_free(val);
			return r == -ENOMEM ? nsl_err_set(err, NSL_E_SYSTEM, r, NULL, NULL) : r;
		}
	}
}

/* Consumes @ev (already read). */
static int parse_node(yaml_parser_t *p, yaml_event_t *ev, unsigned depth, struct ynode **ret,
		      struct nsl_err *err)
{
	struct ynode *n = NULL;
	int r = 0;

	if (depth > NSL_TOPO_MAX_DEPTH) {
		r = mark_err(err, &ev->start_mark, "nesting deeper than %d levels", NSL_TOPO_MAX_DEPTH);
		goto out;
	}
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		r = mark_err(err, &ev->start_mark, "aliases (*%s) are not allowed", ev->data.alias.anchor);
		goto out;
	case YAML_SCALAR_EVENT:
		r = check_props(ev, ev->data.scalar.anchor, ev->data.scalar.tag, err);
		if (r < 0)
			goto out;
		n = ynode_new(Y_SCALAR, &ev->start_mark);
		if (!n || !(n->value = strndup((const char *)ev->data.scalar.value, ev->data.scalar.length)))
			goto nsli_nomem;
		if (strlen(n->value) != ev->data.scalar.length) {
			r = nsli_yerr(err, n, "NUL byte in a string");
			goto out;
		}
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		n->null = n->plain && (!*n->value || STREQ(n->value, "~") || STREQ(n->value, "null") ||
				       STREQ(n->value, "Null") || STREQ(n->value, "NULL"));
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		bool seq = ev->type == YAML_SEQUENCE_START_EVENT;

		r = seq ? check_props(ev, ev->data.sequence_start.anchor, ev->data.sequence_start.tag, err)
			: check_props(ev, ev->data.mapping_start.anchor, ev->data.mapping_start.tag, err);
		if (r < 0)
			goto out;
		n = ynode_new(seq ? Y_SEQ : Y_MAP, &ev->start_mark);
		if (!n)
			goto nsli_nomem;
		r = parse_children(p, n, depth, err);
		if (r < 0)
			goto out;
		break;
	}
	default:
		r = mark_err(err, &ev->start_mark, "unexpected YAML event");
		goto out;
	}
	yaml_event_delete(ev);
	*ret = n;
	return 0;
nsli_nomem:
	r = nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
out:
	yaml_event_delete(ev);
	nsli_ynode_free(n);
	return r;
}

/* libyaml's own message for a tab ("found character that cannot start any token") names
 * nothing a user would look for: find tabs in indentation first. */
static int check_text(const char *text, size_t len, struct nsl_err *err)
{
	unsigned line = 1, col = 1;
	bool indent = true;

	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)text[i];

		if (ch == '\n') {
			line++;
			col = 1;
			indent = true;
			continue;
		}
		if (ch == '\0') {
			struct ynode at = { .line = line, .column = col };
			return nsli_yerr(err, &at, "NUL byte in the file");
		}
		if (ch >= 0x80) {
			size_t k = nsli_utf8_decode((const unsigned char *)text + i, len - i, NULL);

			if (!k) {
				struct ynode at = { .line = line, .column = col };
				return nsli_yerr(err, &at, "invalid UTF-8 byte 0x%02x (the file must be UTF-8)", ch);
			}
			i += k - 1;
			indent = false;
			col++;
			continue;
		}
		if (indent && ch == '\t') {
			struct ynode at = { .line = line, .column = col };
			return nsli_yerr(err, &at, "tab character in indentation (use spaces)");
		}
		if (ch != ' ' && ch != '-')
			indent = false;
		col++;
	}
	return 0;
}

/* ---- the index ---- */

struct topo_index_slot {
	const void *key; /* NULL: free */
	uint64_t scope;
	uint32_t len, hash;
	int value;
};

static uint32_t index_hash(uint64_t scope, const void *key, size_t len)
{
	/* FNV-1a over the scope and the key, then a finaliser so that the low bits, which
	 * pick the slot, depend on every byte. Not for untrusted adversaries: a lab file is
	 * written by its user. */
	const unsigned char *k = key;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (unsigned i = 0; i < 8; i++)
		h = (h ^ ((scope >> (8 * i)) & 0xff)) * 0x100000001b3ULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ k[i]) * 0x100000001b3ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (uint32_t)h;
}

static struct topo_index_slot *index_slot(struct topo_index_slot *v, size_t cap, uint64_t scope,
					  const void *key, uint32_t len, uint32_t hash)
{
	for (size_t i = hash & (cap - 1);; i = (i + 1) & (cap - 1))
		if (!v[i].key || (v[i].hash == hash && v[i].scope == scope && v[i].len == len &&
				  !memcmp(v[i].key, key, len)))
			return &v[i];
}

static int index_resize(struct topo_index *ix)
{
	size_t cap = ix->cap ? ix->cap * 2 : 64;
	struct topo_index_slot *v = calloc(cap, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < ix->cap; i++)
		if (ix->v[i].key)
			*index_slot(v, cap, ix->v[i].scope, ix->v[i].key, ix->v[i].len, ix->v[i].hash) =
				ix->v[i];
	free(ix->v);
	ix->v = v;
	ix->cap = cap;
	return 0;
}

int nsli_topo_index_add(struct topo_index *ix, uint64_t scope, const void *key, size_t len, int value,
		   int *ret_value)
{
	uint32_t hash = index_hash(scope, key, len);
	struct topo_index_slot *s;

	if (len > UINT32_MAX)
		return -EINVAL;
	if (2 * (ix->n + 1) > ix->cap && index_resize(ix) < 0)
		return -ENOMEM;
	s = index_slot(ix->v, ix->cap, scope, key, (uint32_t)len, hash);
	if (s->key) {
		if (ret_value)
			*ret_value = s->value;
		return 0;
	}
	*s = (struct topo_index_slot){ .key = key, .scope = scope, .len = (uint32_t)len, .hash = hash,
				       .value = value };
	ix->n++;
	return 1;
}

int nsli_topo_index_find(const struct topo_index *ix, uint64_t scope, const void *key, size_t len)
{
	const struct topo_index_slot *s;

	if (!ix->cap || len > UINT32_MAX)
		return -1;
	s = index_slot(ix->v, ix->cap, scope, key, (uint32_t)len, index_hash(scope, key, len));
	return s->key ? s->value : -1;
}

void nsli_topo_index_done(struct topo_index *ix)
{
	free(ix->v);
	*ix = (struct topo_index){ 0 };
}

static void parser_freep(yaml_parser_t **p)
{
	if (*p)
		yaml_parser_delete(*p);
}

/* ---- merging (`group`) ---- */

/* An index of @map's keys, when it has enough of them for a scan to cost (key_find()). */
static int keys_index(const struct ynode *map, struct topo_index *ix)
{
	if (map->n < 8)
		return 0;
	if (map->n > INT32_MAX)
		return -ENOMEM;
	for (size_t i = 0; i < map->n; i++)
		if (nsli_topo_index_add(ix, 0, map->keys[i]->value, strlen(map->keys[i]->value), (int)i, NULL) < 0)
			return -ENOMEM;
	return 0;
}

static int key_find(const struct ynode *map, const struct topo_index *ix, const char *key)
{
	if (map->n >= 8)
		return nsli_topo_index_find(ix, 0, key, strlen(key));
	for (size_t i = 0; i < map->n; i++)
		if (STREQ(map->keys[i]->value, key))
			return (int)i;
	return -1;
}

void nsli_ymerge_free(struct ynode *m)
{
	if (!m || !m->merged)
		return;
	for (size_t i = 0; i < m->n; i++)
		nsli_ymerge_free(m->items[i]);
	free(m->keys);
	free(m->items);
	free(m);
}

/* One key of @base (@i) into @m: @over's value when @over has the key, merged if both are maps. */
static int merge_key(struct ynode *m, const struct ynode *base, size_t i, const struct ynode *over,
		     const struct topo_index *ix, bool *used)
{
	int k = key_find(over, ix, base->keys[i]->value);
	struct ynode *item = base->items[i];
	int r = 0;

	if (k < 0)
		return push(m, base->keys[i], item);
	used[k] = true;
	item = over->items[k];
	if (base->items[i]->type == Y_MAP && item->type == Y_MAP)
		r = nsli_ymerge(base->items[i], item, &item);
	if (r == 0)
		r = push(m, over->keys[k], item);
	if (r < 0 && item != over->items[k])
		nsli_ymerge_free(item);
	return r;
}

int nsli_ymerge(const struct ynode *base, const struct ynode *over, struct ynode **ret)
{
	_cleanup_(nsli_topo_index_done) struct topo_index ix = { 0 };
	_cleanup_free_ bool *used = calloc(over->n + 1, sizeof(*used));
	struct ynode *m = calloc(1, sizeof(*m));
	int r = m && used ? keys_index(over, &ix) : -ENOMEM;

	if (m) {
		m->type = Y_MAP;
		m->line = over->line;
		m->column = over->column;
		m->merged = true;
	}
	for (size_t i = 0; r == 0 && i < base->n; i++)
		r = merge_key(m, base, i, over, &ix, used);
	for (size_t k = 0; r == 0 && k < over->n; k++)
		if (!used[k])
			r = push(m, over->keys[k], over->items[k]);
	if (r < 0) {
		nsli_ymerge_free(m);
		return r;
	}
	*ret = m;
	return 0;
}

/* STREAM-START and DOCUMENT-START: a document, with no directives. */
static int document_start(yaml_parser_t *p, struct nsl_err *err)
{
	yaml_event_t ev;
	int r;

	r = next(p, &ev, err); /* STREAM-START */
	if (r < 0)
		return r;
	yaml_event_delete(&ev);
	r = next(p, &ev, err);
	if (r < 0)
		return r;
	if (ev.type == YAML_STREAM_END_EVENT) {
		struct ynode at = { .line = 1, .column = 1 };
		yaml_event_delete(&ev);
		return nsli_yerr(err, &at, "empty file (expected a mapping with 'name' and 'nodes')");
	}
	if (ev.data.document_start.tag_directives.start != ev.data.document_start.tag_directives.end ||
	    ev.data.document_start.version_directive) {
		r = mark_err(err, &ev.start_mark, "YAML directives are not allowed");
		yaml_event_delete(&ev);
		return r;
	}
	yaml_event_delete(&ev);
	return 0;
}

/* DOCUMENT-END and STREAM-END: the document was the only one. */
static int document_end(yaml_parser_t *p, struct nsl_err *err)
{
	yaml_event_t ev;
	int r;

	r = next(p, &ev, err); /* DOCUMENT-END */
	if (r < 0)
		return r;
	yaml_event_delete(&ev);
	r = next(p, &ev, err);
	if (r < 0)
		return r;
	if (ev.type != YAML_STREAM_END_EVENT) {
		r = mark_err(err, &ev.start_mark, "more than one YAML document (one file = one lab)");
		yaml_event_delete(&ev);
		return r;
	}
	yaml_event_delete(&ev);
	return 0;
}

int nsli_yaml_load(const char *text, size_t len, struct ynode **ret, struct nsl_err *err)
{
	yaml_parser_t parser;
	_cleanup_(parser_freep) yaml_parser_t *p = NULL;
	struct ynode *root = NULL;
	yaml_event_t ev;
	int r;

	r = check_text(text, len, err);
	if (r < 0)
		return r;
	if (!yaml_parser_initialize(&parser))
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	p = &parser;
	yaml_parser_set_input_string(p, (const unsigned char *)text, len);
	yaml_parser_set_encoding(p, YAML_UTF8_ENCODING);
	r = document_start(p, err);
	if (r < 0)
		return r;
	r = next(p, &ev, err);
	if (r < 0)
		return r;
	r = parse_node(p, &ev, 1, &root, err);
	if (r < 0)
		return r;
	r = document_end(p, err);
	if (r < 0) {
		nsli_ynode_free(root);
		return r;
	}
	*ret = root;
	return 0;
}
