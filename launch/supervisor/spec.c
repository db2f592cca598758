// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The spec file of nslab-supervise, written by the library (topo/kind-proc.c): one record a
 * line, fields separated by one TAB, "\\" "\t" "\n" escaped in fields, first line exactly
 * "nslab-supervise 1". Everything is checked here, before any mount or process, so that a
 * bad spec changes nothing.
 */
#include <limits.h>
#include <stdarg.h>

#include "macro.h"
#include "sup.h"

#define MAX_FIELDS 8

struct pctx {
	struct sup_spec *s;
	unsigned line;
	char *err;
	size_t size;
};

_printf_(2, 3) static int perr(struct pctx *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(c->err, c->size, "%s:%u: ", c->s->path, c->line);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < c->size)
		vsnprintf(c->err + n, c->size - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* In place; false on an unknown escape or a backslash at the end. */
static bool unescape(char *f)
{
	char *w = f;

	for (char *r = f; *r; r++) {
		if (*r != '\\') {
			*w++ = *r;
			continue;
		}
		switch (*++r) {
		case '\\': *w++ = '\\'; break;
		case 't': *w++ = '\t'; break;
		case 'n': *w++ = '\n'; break;
		default: return false;
		}
	}
	*w = '\0';
	return true;
}

static bool parse_int(const char *f, int base, int64_t min, int64_t max, int64_t *ret)
{
	char *end;
	long long v;

	if (!*f || *f == '+' || *f == ' ')
		return false;
	errno = 0;
	v = strtoll(f, &end, base);
	if (errno || *end || v < min || v > max)
		return false;
	*ret = v;
	return true;
}

/* An absolute path without "." or ".." components, empty components or a trailing '/'
 * (except "/" itself): what the library sorted is what gets mounted. */
static bool path_ok(const char *p)
{
	size_t n = strlen(p);

	if (p[0] != '/' || n >= PATH_MAX)
		return false;
	if (n == 1)
		return true;
	if (p[n - 1] == '/' || strstr(p, "//"))
		return false;
	for (const char *c = p; c; c = strchr(c + 1, '/'))
		if (!strncmp(c, "/./", 3) || !strcmp(c, "/.") || !strncmp(c, "/../", 4) ||
		    !strcmp(c, "/.."))
			return false;
	return true;
}

static bool id_ok(const char *f, int64_t *ret)
{
	return parse_int(f, 10, -1, UINT32_MAX - 1, ret);
}

static char *dup_or_null(const char *f)
{
	return *f ? strdup(f) : NULL;
}

static int rec_dir(struct pctx *c, char **dst, const char *what, const char *f)
{
	if (*dst)
		return perr(c, "a second '%s' record", what);
	if (!path_ok(f))
		return perr(c, "%s: not a clean absolute path: %s", what, f);
	*dst = strdup(f);
	return *dst ? 0 : perr(c, "out of memory");
}

static int rec_log(struct pctx *c, char **f)
{
	return rec_dir(c, &c->s->log_dir, "log", f[0]);
}

static int rec_status(struct pctx *c, char **f)
{
	if (!strcmp(f[0], "/"))
		return perr(c, "status: not a file: /");
	return rec_dir(c, &c->s->status_file, "status", f[0]);
}

static int rec_rootfs(struct pctx *c, char **f)
{
	if (c->s->n_mounts)
		return perr(c, "rootfs after a mount");
	return rec_dir(c, &c->s->rootfs, "rootfs", f[0]);
}

static struct sup_mount *new_mount(struct pctx *c, enum sup_mount_kind kind, const char *dst)
{
	struct sup_spec *s = c->s;
	struct sup_mount *m;

	if (s->n_procs) {
		perr(c, "mount after a proc");
		return NULL;
	}
	if (!path_ok(dst)) {
		perr(c, "target: not a clean absolute path: %s", dst);
		return NULL;
	}
	if (!GREEDY_REALLOC(s->mounts, s->cap_mounts, s->n_mounts + 1)) {
		perr(c, "out of memory");
		return NULL;
	}
	m = &s->mounts[s->n_mounts++];
	*m = (struct sup_mount){ .kind = kind, .line = c->line, .uid = -1, .gid = -1, .tree = -1 };
	m->dst = strdup(dst);
	if (!m->dst) {
		perr(c, "out of memory");
		return NULL;
	}
	return m;
}

static int rec_bind(struct pctx *c, char **f)
{
	struct sup_mount *m;

	if (!path_ok(f[0]))
		return perr(c, "bind source: not a clean absolute path: %s", f[0]);
	if (strcmp(f[2], "ro") && strcmp(f[2], "rw"))
		return perr(c, "bind: '%s' is not ro or rw", f[2]);
	m = new_mount(c, MNT_BIND, f[1]);
	if (!m)
		return -1;
	m->ro = !strcmp(f[2], "ro");
	m->src = strdup(f[0]);
	return m->src ? 0 : perr(c, "out of memory");
}

static int rec_tmpfs(struct pctx *c, char **f)
{
	struct sup_mount *m;
	int64_t mode, uid, gid;

	if (!parse_int(f[1], 8, 0, 07777, &mode))
		return perr(c, "tmpfs: bad mode '%s' (octal, at most 7777)", f[1]);
	if (!id_ok(f[2], &uid) || !id_ok(f[3], &gid))
		return perr(c, "tmpfs: bad owner '%s' '%s' (a number, or -1)", f[2], f[3]);
	m = new_mount(c, MNT_TMPFS, f[0]);
	if (!m)
		return -1;
	m->mode = (unsigned)mode;
	m->uid = uid;
	m->gid = gid;
	return 0;
}

static int rec_stop(struct pctx *c, char **f)
{
	int64_t ms;

	if (!parse_int(f[0], 10, 0, 3600 * 1000, &ms))
		return perr(c, "stop: bad grace '%s' (milliseconds, 0 to 3600000)", f[0]);
	c->s->stop_ms = (unsigned)ms;
	return 0;
}

static bool name_ok(const char *n)
{
	size_t len = strlen(n);

	if (!len || len > 64 || n[0] == '.' || n[0] == '-' || !strcmp(n, "supervise"))
		return false;
	for (const char *p = n; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && !strchr("._-", *p))
			return false;
	return true;
}

static int parse_restart(const char *f, enum sup_restart *ret)
{
	static const char *const names[] = { "no", "on-failure", "always" };

	for (unsigned i = 0; i < ELEMENTSOF(names); i++)
		if (!strcmp(f, names[i])) {
			*ret = (enum sup_restart)i;
			return 0;
		}
	return -1;
}

static int rec_proc(struct pctx *c, char **f)
{
	struct sup_spec *s = c->s;
	struct sup_proc *p;
	enum sup_restart restart;
	int64_t uid, gid;

	if (!name_ok(f[0]))
		return perr(c, "proc: bad name '%s' ([A-Za-z0-9._-], at most 64, not 'supervise')",
			    f[0]);
	for (size_t i = 0; i < s->n_procs; i++)
		if (!strcmp(s->procs[i].name, f[0]))
			return perr(c, "proc: a second process named '%s'", f[0]);
	if (parse_restart(f[1], &restart) < 0)
		return perr(c, "proc: restart '%s' is not no, on-failure or always", f[1]);
	if (!id_ok(f[2], &uid) || !id_ok(f[3], &gid))
		return perr(c, "proc: bad user '%s' '%s' (a number, or -1)", f[2], f[3]);
	if (*f[4] && !path_ok(f[4]))
		return perr(c, "proc: wd: not a clean absolute path: %s", f[4]);
	if (!GREEDY_REALLOC(s->procs, s->cap_procs, s->n_procs + 1))
		return perr(c, "out of memory");
	p = &s->procs[s->n_procs++];
	*p = (struct sup_proc){ .line = c->line, .restart = restart, .uid = uid, .gid = gid,
				.log = { .dirfd = -1, .fd = -1 }, .last = -1 };
	p->name = strdup(f[0]);
	p->wd = dup_or_null(f[4]);
	if (!p->name || (*f[4] && !p->wd))
		return perr(c, "out of memory");
	return 0;
}

/* Append @v to the NULL-terminated vector *@vec of *@n entries. */
static bool vec_add(char ***vec, size_t *n, const char *v)
{
	char **q = realloc(*vec, (*n + 2) * sizeof(char *));

	if (!q)
		return false;
	*vec = q;
	q[*n] = strdup(v);
	if (!q[*n])
		return false;
	q[++*n] = NULL;
	return true;
}

static struct sup_proc *last_proc(struct pctx *c, const char *what)
{
	if (!c->s->n_procs) {
		perr(c, "'%s' before any proc", what);
		return NULL;
	}
	return &c->s->procs[c->s->n_procs - 1];
}

static int rec_arg(struct pctx *c, char **f)
{
	struct sup_proc *p = last_proc(c, "arg");

	if (!p)
		return -1;
	if (p->argc == 0 && !*f[0])
		return perr(c, "arg: the command is empty");
	return vec_add(&p->argv, &p->argc, f[0]) ? 0 : perr(c, "out of memory");
}

static int rec_env(struct pctx *c, char **f)
{
	struct sup_proc *p = last_proc(c, "env");
	const char *eq = strchr(f[0], '=');

	if (!p)
		return -1;
	if (!eq || eq == f[0])
		return perr(c, "env: '%s' is not K=V", f[0]);
	return vec_add(&p->envp, &p->envc, f[0]) ? 0 : perr(c, "out of memory");
}

static const struct record {
	const char *key;
	unsigned n; /* fields after the key */
	int (*parse)(struct pctx *c, char **f);
} records[] = {
	{ "log", 1, rec_log },	     { "status", 1, rec_status }, { "rootfs", 1, rec_rootfs },
	{ "bind", 3, rec_bind },     { "tmpfs", 4, rec_tmpfs },	  { "stop", 1, rec_stop },
	{ "proc", 5, rec_proc },     { "arg", 1, rec_arg },	  { "env", 1, rec_env },
};

static int parse_line(struct pctx *c, char *line)
{
	char *f[MAX_FIELDS + 1];
	unsigned n = 0;

	for (char *p = line;; p++) {
		if (n == MAX_FIELDS + 1)
			return perr(c, "too many fields");
		f[n++] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p = '\0';
	}
	for (unsigned i = 0; i < ELEMENTSOF(records); i++) {
		if (strcmp(f[0], records[i].key))
			continue;
		if (n - 1 != records[i].n)
			return perr(c, "'%s' takes %u field%s, not %u", f[0], records[i].n,
				    records[i].n == 1 ? "" : "s", n - 1);
		for (unsigned k = 1; k < n; k++)
			if (!unescape(f[k]))
				return perr(c, "bad escape in field %u (only \\\\ \\t \\n)", k);
		return records[i].parse(c, f + 1);
	}
	return perr(c, "unknown record '%.32s'", f[0]);
}

/* Defaults and the checks that need the whole file. */
static int finish(struct pctx *c)
{
	static const char *const defaults[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME=/",
	};
	struct sup_spec *s = c->s;

	if (!s->log_dir)
		return perr(c, "no 'log' record");
	if (!s->status_file)
		return perr(c, "no 'status' record");
	for (size_t i = 0; i < s->n_procs; i++) {
		struct sup_proc *p = &s->procs[i];

		if (!p->argc) {
			c->line = p->line;
			return perr(c, "proc '%s' has no 'arg'", p->name);
		}
		for (unsigned d = 0; d < ELEMENTSOF(defaults); d++) {
			size_t klen = (size_t)(strchr(defaults[d], '=') - defaults[d]) + 1;
			bool have = false;

			for (size_t e = 0; e < p->envc && !have; e++)
				have = !strncmp(p->envp[e], defaults[d], klen);
			if (!have && !vec_add(&p->envp, &p->envc, defaults[d]))
				return perr(c, "out of memory");
		}
	}
	return 0;
}

int sup_spec_parse(struct sup_spec *s, char *text, char *err, size_t size)
{
	struct pctx c = { .s = s, .line = 1, .err = err, .size = size };
	char *line = text, *next;

	s->stop_ms = SUP_STOP_DEFAULT_MS;
	next = strchr(line, '\n');
	if (next)
		*next++ = '\0';
	if (strcmp(line, SUP_SPEC_MAGIC))
		return perr(&c, "not a spec file (the first line is not 'nslab-supervise 1')");
	for (line = next; line; line = next) {
		c.line++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else if (!*line) {
			c.line--; /* nothing after the last newline */
			break;
		}
		if (!*line)
			return perr(&c, "empty line");
		if (parse_line(&c, line) < 0)
			return -1;
	}
	return finish(&c);
}

static void vec_free(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

void sup_spec_free(struct sup_spec *s)
{
	for (size_t i = 0; i < s->n_mounts; i++) {
		free(s->mounts[i].src);
		free(s->mounts[i].dst);
		if (s->mounts[i].tree >= 0)
			close(s->mounts[i].tree);
	}
	for (size_t i = 0; i < s->n_procs; i++) {
		struct sup_proc *p = &s->procs[i];

		free(p->name);
		free(p->wd);
		vec_free(p->argv);
		vec_free(p->envp);
		nsli_logfile_close(&p->log);
	}
	free(s->mounts);
	free(s->procs);
	free(s->log_dir);
	free(s->status_file);
	free(s->rootfs);
	*s = (struct sup_spec){ .path = s->path };
}
