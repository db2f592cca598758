// SPDX-License-Identifier: GPL-2.0-or-later
/* `nslab logs LAB NODE [NAME] [-f] [-n LINES]`: what a node's processes, exec and ready
 * commands printed, each line with its time. Without NAME: all of the node's logs, merged in
 * time order, each line prefixed with the log's name. */
#include <limits.h>
#include <poll.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct nsl_topo *, nsl_topo_free);

/* One log being shown. */
struct shown {
	char name[80];
	char path[PATH_MAX];
	char *text; /* the tail read */
	char *pos;  /* next line of it */
	FILE *f;    /* -f: the file, at the end of what was shown */
	ino_t ino;
	off_t off;
};

static bool parse_lines(const char *s, size_t *ret)
{
	char *end;
	unsigned long v;

	if (!*s || *s == '-')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > 1000000)
		return false;
	*ret = v;
	return true;
}

/* The names of the logs of @n: its processes, then exec, ready and supervise. */
static size_t log_names(const struct nsl_topo_node *n, const char *only, struct shown *v, size_t max)
{
	static const char *const extra[] = { "exec", "ready", "supervise" };
	size_t k = 0;

	if (only) {
		snprintf(v[k++].name, sizeof(v->name), "%s", only);
		return k;
	}
	for (size_t i = 0; i < n->n_procs && k < max; i++)
		snprintf(v[k++].name, sizeof(v->name), "%s", n->procs[i].name);
	for (size_t i = 0; i < ELEMENTSOF(extra) && k < max; i++)
		snprintf(v[k++].name, sizeof(v->name), "%s", extra[i]);
	return k;
}

/* Print the lines of all @v in time order (each starts with its timestamp), the last @lines
 * of them (0: all). */
static void print_merged(struct shown *v, size_t n, bool prefix, size_t lines)
{
	size_t total = 0, skip;

	for (size_t i = 0; i < n; i++)
		for (char *p = v[i].text; p && *p; p = strchr(p, '\n') + 1)
			total++;
	skip = lines && total > lines ? total - lines : 0;
	for (size_t i = 0; i < n; i++)
		v[i].pos = v[i].text;
	for (;;) {
		struct shown *best = NULL;
		char *nl;

		for (size_t i = 0; i < n; i++)
			if (v[i].pos && *v[i].pos && (!best || strncmp(v[i].pos, best->pos, 24) < 0))
				best = &v[i];
		if (!best)
			break;
		nl = strchr(best->pos, '\n');
		if (skip)
			skip--;
		else if (prefix)
			printf("%s: %.*s\n", best->name, (int)(nl - best->pos), best->pos);
		else
			printf("%.*s\n", (int)(nl - best->pos), best->pos);
		best->pos = nl + 1;
	}
	fflush(stdout);
}

/* -f: print what the logs get from now on, until killed. A rotated log (another inode, or
 * shorter than shown) is read again from its start. */
static int follow(struct shown *v, size_t n, bool prefix)
{
	char line[8192];

	for (size_t i = 0; i < n; i++) {
		struct stat st;

		if (stat(v[i].path, &st) == 0) {
			v[i].ino = st.st_ino;
			v[i].off = st.st_size;
		}
	}
	for (;;) {
		for (size_t i = 0; i < n; i++) {
			struct shown *s = &v[i];
			struct stat st;

			if (stat(s->path, &st) < 0)
				continue;
			if (st.st_ino != s->ino || st.st_size < s->off) {
				if (s->f)
					fclose(s->f);
				s->f = NULL;
				s->ino = st.st_ino;
				s->off = 0;
			}
			if (st.st_size == s->off)
				continue;
			if (!s->f && !(s->f = fopen(s->path, "re")))
				continue;
			fseeko(s->f, s->off, SEEK_SET);
			while (fgets(line, sizeof(line), s->f)) {
				size_t len = strlen(line);

				if (line[len - 1] != '\n')
					break; /* unfinished: again when it is */
				s->off += (off_t)len;
				printf("%s%s%s", prefix ? s->name : "", prefix ? ": " : "", line);
			}
			clearerr(s->f);
		}
		if (fflush(stdout) == EOF)
			return 0;
		poll(NULL, 0, 200);
	}
}

static int do_logs(struct cli *c, int argc, char **argv)
{
	_cleanup_(nsl_topo_freep) struct nsl_topo *t = NULL;
	struct nsl_err err = { 0 };
	const struct nsl_topo_node *n = NULL;
	const char *lab = NULL, *node = NULL, *only = NULL;
	bool f = false;
	size_t lines = 0, nv, found = 0;
	struct shown *v;
	int r = 0;

	for (int i = 0; i < argc; i++) {
		if (STREQ(argv[i], "-f"))
			f = true;
		else if (STREQ(argv[i], "-n") && i + 1 < argc && parse_lines(argv[i + 1], &lines))
			i++;
		else if (STREQ(argv[i], "-n"))
			return cli_usage(c, "-n takes a number of lines (0 to 1000000)");
		else if (argv[i][0] == '-')
			return cli_usage(c, "unknown option '%s'", argv[i]);
		else if (!lab)
			lab = argv[i];
		else if (!node)
			node = argv[i];
		else if (!only)
			only = argv[i];
		else
			return cli_usage(c, "usage: logs LAB NODE [NAME] [-f] [-n LINES]");
	}
	if (!node)
		return cli_usage(c, "usage: logs LAB NODE [NAME] [-f] [-n LINES]");
	if (nsl_topo_load_lab(c->ctx, lab, &t, &err) < 0)
		return cli_fail(c, lab, &err);
	for (size_t i = 0; i < t->n_nodes; i++)
		if (STREQ(t->nodes[i].name, node))
			n = &t->nodes[i];
	if (!n) {
		nsl_err_set(&err, NSL_E_USAGE, -ENOENT, node, "lab '%s' has no node '%s'", t->name, node);
		return cli_fail(c, node, &err);
	}
	v = calloc(n->n_procs + 4, sizeof(*v));
	if (!v) {
		nsl_err_set(&err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
		return cli_fail(c, NULL, &err);
	}
	nv = log_names(n, only, v, n->n_procs + 3);
	for (size_t i = 0; i < nv; i++) {
		nsl_topo_log_path(c->ctx, t->name, n->name, v[i].name, v[i].path, sizeof(v[i].path));
		nsl_err_clear(&err);
		r = nsl_topo_log_tail(c->ctx, t->name, n->name, v[i].name, lines, &v[i].text, &err);
		if (r == 0)
			found++;
		else if (only || r != -ENOENT)
			break;
		r = 0;
	}
	if (r == 0 && !only && !found && !f) {
		nsl_err_set(&err, NSL_E_USAGE, -ENOENT, node, "node '%s' of lab '%s' has no logs yet", node, t->name);
		r = -ENOENT;
	}
	if (r == 0) {
		print_merged(v, nv, !only, lines);
		if (f)
			r = follow(v, nv, !only);
	}
	for (size_t i = 0; i < nv; i++) {
		free(v[i].text);
		if (v[i].f)
			fclose(v[i].f);
	}
	free(v);
	return r < 0 ? cli_fail(c, only ? only : node, &err) : 0;
}

const struct cli_object cli_obj_logs = {
	.name = "logs",
	.usage = "Usage: nslab logs LAB NODE [NAME] [-f] [-n LINES]\n"
		 "Show the output of a node's processes (NAME: one of them, or exec, ready, supervise),\n"
		 "each line with its time; -f follows it, -n shows only the last LINES lines.\n",
	.direct = do_logs,
};
