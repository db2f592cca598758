// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The trees of the containerlab translation: built node by node with the position of what
 * each came from, written out as a native file (`nslab convert`, and the lab.yaml an up
 * records), and the two string rules of containerlab files: environment expansion and the
 * splitting of `cmd`/`entrypoint` into words.
 */
#include <stdio.h>

#include "clab.h"
#include "macro.h"

struct ynode *nsli_ynew(enum ynode_type type, const struct ynode *at)
{
	struct ynode *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->type = type;
	n->line = at ? at->line : 1;
	n->column = at ? at->column : 1;
	return n;
}

struct ynode *nsli_yscalar(const struct ynode *at, const char *value)
{
	struct ynode *n = nsli_ynew(Y_SCALAR, at);

	if (n && !(n->value = strdup(value))) {
		free(n);
		return NULL;
	}
	if (n)
		n->plain = true; /* as a number or true/false must be: strings do not mind */
	return n;
}

int nsli_yadd(struct ynode *coll, struct ynode *key, struct ynode *item)
{
	size_t cap = greedy_cap(coll->n), kcap = cap;

	if (!item || (coll->type == Y_MAP && !key) || !GREEDY_REALLOC(coll->items, cap, coll->n + 1) ||
	    (coll->type == Y_MAP && !GREEDY_REALLOC(coll->keys, kcap, coll->n + 1))) {
		nsli_ynode_free(key);
		nsli_ynode_free(item);
		return -ENOMEM;
	}
	if (coll->type == Y_MAP)
		coll->keys[coll->n] = key;
	coll->items[coll->n++] = item;
	return 0;
}

int nsli_yput(struct ynode *map, const struct ynode *at, const char *key, struct ynode *item)
{
	return nsli_yadd(map, nsli_yscalar(at, key), item);
}

int nsli_yput_str(struct ynode *map, const struct ynode *at, const char *key, const char *value)
{
	return nsli_yput(map, at, key, nsli_yscalar(at, value));
}

const struct ynode *nsli_yget(const struct ynode *map, const char *key)
{
	for (size_t i = 0; map && map->type == Y_MAP && i < map->n; i++)
		if (STREQ(map->keys[i]->value, key))
			return map->items[i];
	return NULL;
}

struct ynode *nsli_ycopy(const struct ynode *n)
{
	struct ynode *c = nsli_ynew(n->type, n);

	if (!c)
		return NULL;
	c->plain = n->plain;
	c->null = n->null;
	if (n->value && !(c->value = strdup(n->value))) {
		free(c);
		return NULL;
	}
	for (size_t i = 0; i < n->n; i++)
		if (nsli_yadd(c, n->type == Y_MAP ? nsli_ycopy(n->keys[i]) : NULL, nsli_ycopy(n->items[i])) < 0) {
			nsli_ynode_free(c);
			return NULL;
		}
	return c;
}

/* ---- writing a tree out ---- */

/* A scalar that reads back as the same string, and plain, when written plain (a quoted one
 * stays quoted: the loader takes a number or true/false only plain). */
static bool plain_ok(const struct ynode *n)
{
	const char *s = n->value;

	if (!n->plain || !*s ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:@+=,-") != strlen(s))
		return false;
	return !strchr("-:@,", s[0]) && s[strlen(s) - 1] != ':';
}

static void emit_scalar(FILE *f, const struct ynode *n)
{
	if (plain_ok(n)) {
		fputs(n->value, f);
		return;
	}
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)n->value; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void emit_node(FILE *f, const struct ynode *n, unsigned indent, bool inline_first);

/* A value after "key:" or "-": on the same line when it is a scalar or empty; a mapping in a
 * list starts on the line of its "-". */
static void emit_value(FILE *f, const struct ynode *v, unsigned indent, bool in_seq)
{
	if (v->type == Y_SCALAR) {
		fputc(' ', f);
		emit_scalar(f, v);
		fputc('\n', f);
	} else if (v->n == 0) {
		fputs(v->type == Y_MAP ? " {}\n" : " []\n", f);
	} else if (in_seq && v->type == Y_MAP) {
		fputc(' ', f);
		emit_node(f, v, indent + 2, true);
	} else {
		fputc('\n', f);
		emit_node(f, v, indent + 2, false);
	}
}

static void emit_node(FILE *f, const struct ynode *n, unsigned indent, bool inline_first)
{
	for (size_t i = 0; i < n->n; i++) {
		if (i || !inline_first)
			fprintf(f, "%*s", (int)indent, "");
		if (n->type == Y_MAP) {
			emit_scalar(f, n->keys[i]);
			fputc(':', f);
		} else {
			fputc('-', f);
		}
		emit_value(f, n->items[i], indent, n->type == Y_SEQ);
	}
}

int nsli_yemit(const struct ynode *root, const char *header, char **ret, size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return -ENOMEM;
	if (header)
		fputs(header, f);
	emit_node(f, root, 0, false);
	if (fclose(f) != 0 || !buf) {
		free(buf);
		return -ENOMEM;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

/* ---- strings ---- */

static size_t var_len(const char *p)
{
	size_t k = 0;

	if (!((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z') || p[0] == '_'))
		return 0;
	while ((p[k] >= 'A' && p[k] <= 'Z') || (p[k] >= 'a' && p[k] <= 'z') || (p[k] >= '0' && p[k] <= '9') ||
	       p[k] == '_')
		k++;
	return k;
}

/* "${NAME...}" at @p (its '}' at @end): the text it stands for, into @f. */
static void subst_braced(FILE *f, const char *p, const char *end)
{
	_cleanup_free_ char *name = NULL;
	size_t k = var_len(p + 2);
	const char *rest = p + 2 + k, *val;

	name = strndup(p + 2, k);
	val = name && k ? getenv(name) : NULL;
	if (k && rest == end && val) {
		fputs(val, f);
	} else if (k && (!strncmp(rest, ":=", 2) || !strncmp(rest, ":-", 2))) {
		/* containerlab (envsubst): the default when unset or empty */
		if (val && *val)
			fputs(val, f);
		else
			fwrite(rest + 2, 1, (size_t)(end - rest - 2), f);
	} else {
		fwrite(p, 1, (size_t)(end - p + 1), f); /* unset: stays as written */
	}
}

int nsli_clab_envsubst(const char *s, char **ret)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int r = 0;

	if (!f)
		return -ENOMEM;
	for (const char *p = s; *p;) {
		const char *end;
		size_t k;

		if (p[0] != '$') {
			fputc(*p++, f);
		} else if (p[1] == '{') {
			end = strchr(p + 2, '}');
			if (!end) { /* no variable: the rest as written */
				fputs(p, f);
				break;
			}
			subst_braced(f, p, end);
			p = end + 1;
		} else if ((k = var_len(p + 1))) {
			_cleanup_free_ char *name = strndup(p + 1, k);
			const char *val = name ? getenv(name) : NULL;

			fputs(val ? val : "", f);
			if (!val)
				fwrite(p, 1, k + 1, f);
			p += k + 1;
		} else {
			fputc(*p++, f);
		}
	}
	if (fclose(f) != 0 || !buf)
		r = -ENOMEM;
	if (r < 0) {
		free(buf);
		return r;
	}
	*ret = buf;
	return 0;
}

struct ynode *nsli_clab_expand(const struct ynode *n)
{
	struct ynode *c = nsli_ynew(n->type, n);

	if (!c)
		return NULL;
	c->plain = n->plain;
	c->null = n->null;
	if (n->value && nsli_clab_envsubst(n->value, &c->value) < 0) {
		free(c);
		return NULL;
	}
	for (size_t i = 0; i < n->n; i++)
		if (nsli_yadd(c, n->type == Y_MAP ? nsli_clab_expand(n->keys[i]) : NULL, nsli_clab_expand(n->items[i])) < 0) {
			nsli_ynode_free(c);
			return NULL;
		}
	return c;
}

char *nsli_clab_escape(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	for (const char *p = s; *p; p++) {
		if (p[0] == '$' && p[1] == '{')
			fputc('$', f);
		fputc(*p, f);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* The value of an env file's line, unquoted: '...' as it is, "..." with \\n \\" \\\\, else up
 * to a " #" comment, trimmed. */
static void env_value(char *v)
{
	size_t n = strlen(v);
	char *w = v;

	if (n >= 2 && (v[0] == '\'' || v[0] == '"') && v[n - 1] == v[0]) {
		bool dq = v[0] == '"';

		v[n - 1] = '\0';
		for (const char *p = v + 1; *p; p++) {
			if (dq && p[0] == '\\' && p[1]) {
				p++;
				*w++ = *p == 'n' ? '\n' : *p;
			} else {
				*w++ = *p;
			}
		}
		*w = '\0';
		return;
	}
	if ((w = strstr(v, " #")))
		*w = '\0';
	for (n = strlen(v); n && strchr(" \t", v[n - 1]); n--)
		v[n - 1] = '\0';
}

/* One line of an env file into @map: NAME=VALUE, maybe after "export ". */
static int env_line(char *l, const struct ynode *at, struct ynode *map)
{
	char *eq, *name;
	size_t n;

	l += strspn(l, " \t");
	if (!*l || *l == '#')
		return 0;
	if (!strncmp(l, "export ", 7))
		l += 7 + strspn(l + 7, " \t");
	eq = strchr(l, '=');
	if (!eq)
		return -EINVAL;
	*eq = '\0';
	name = l;
	for (n = strlen(name); n && strchr(" \t", name[n - 1]); n--)
		name[n - 1] = '\0';
	if (!var_len(name) || var_len(name) != strlen(name))
		return -EINVAL;
	eq++;
	eq += strspn(eq, " \t");
	env_value(eq);
	return nsli_yput(map, at, name, nsli_yscalar(at, eq));
}

int nsli_clab_envfile(const char *path, const struct ynode *at, struct ynode **ret, unsigned *ret_line)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_free_ char *l = NULL;
	struct ynode *map;
	size_t cap = 0;
	unsigned line = 0;
	int r = 0;

	if (!f)
		return -errno;
	map = nsli_ynew(Y_MAP, at);
	if (!map)
		return -ENOMEM;
	while (r == 0 && getline(&l, &cap, f) >= 0) {
		line++;
		l[strcspn(l, "\r\n")] = '\0';
		r = env_line(l, at, map);
	}
	if (r < 0) {
		*ret_line = r == -EINVAL ? line : 0;
		nsli_ynode_free(map);
		return r;
	}
	*ret = map;
	return 0;
}

/* One word of @s from *@pp into @f: quotes and backslashes as a POSIX shell reads them. */
static int word(const char **pp, FILE *f)
{
	const char *p = *pp;
	char q = 0;

	for (; *p && (q || !strchr(" \t\n", *p)); p++) {
		if (q == '\'' && *p == '\'')
			q = 0;
		else if (q == '"' && *p == '"')
			q = 0;
		else if (!q && (*p == '\'' || *p == '"'))
			q = *p;
		else if (*p == '\\' && q != '\'' && p[1] && (!q || strchr("\"\\$`", p[1])))
			fputc(*++p, f);
		else
			fputc(*p, f);
	}
	*pp = p;
	return q ? -EINVAL : 0;
}

int nsli_clab_words(const char *s, const struct ynode *at, struct ynode *seq)
{
	const char *p = s;

	for (;;) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f;
		int r;

		p += strspn(p, " \t\n");
		if (!*p)
			return 0;
		f = open_memstream(&buf, &len);
		if (!f)
			return -ENOMEM;
		r = word(&p, f);
		if (fclose(f) != 0 || !buf)
			r = -ENOMEM;
		if (r == 0)
			r = nsli_yadd(seq, NULL, nsli_yscalar(at, buf));
		free(buf);
		if (r < 0)
			return r;
	}
}
