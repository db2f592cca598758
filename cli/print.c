// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Dual-mode output, as iproute2's print_*(PRINT_ANY, key, fmt, value): the same call emits
 * the text form or the JSON member, so the two cannot drift apart.
 */
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"
#include "core.h"

/* The text formats are the callers' literals, passed through: the one place that needs this. */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

#define MAX_DEPTH 32

static struct {
	bool wrote; /* anything printed since pr_init */
	int depth;
	bool first[MAX_DEPTH];
	bool in_array[MAX_DEPTH];
} jw;

/* Strings are escaped by the library's one escaper, so -j output and `graph -j` agree. */
void pr_json_string(FILE *f, const char *s)
{
	nsli_json_escape(f, s);
}

void pr_init(struct cli *c)
{
	(void)c;
	jw.depth = 0;
	jw.first[0] = true;
	jw.wrote = false;
}

void pr_flush(struct cli *c)
{
	/* A verb that prints nothing (add, del) leaves stdout empty, even with -j. */
	if (c->json && jw.depth == 0 && jw.wrote)
		fputc('\n', stdout);
	fflush(stdout);
}

static void indent(struct cli *c)
{
	if (!c->pretty)
		return;
	fputc('\n', stdout);
	for (int i = 0; i < jw.depth; i++)
		fputs("  ", stdout);
}

/* Separator and key before a JSON value. */
static void member(struct cli *c, const char *key)
{
	jw.wrote = true;
	if (!jw.first[jw.depth])
		fputc(',', stdout);
	jw.first[jw.depth] = false;
	if (jw.depth > 0)
		indent(c);
	if (key && jw.depth > 0 && !jw.in_array[jw.depth]) {
		pr_json_string(stdout, key);
		fputs(c->pretty ? ": " : ":", stdout);
	}
}

static void open_(struct cli *c, const char *key, char ch, bool array)
{
	if (!c->json)
		return;
	member(c, key);
	fputc(ch, stdout);
	if (jw.depth + 1 < MAX_DEPTH)
		jw.depth++;
	jw.first[jw.depth] = true;
	jw.in_array[jw.depth] = array;
}

static void close_(struct cli *c, char ch)
{
	bool empty;

	if (!c->json)
		return;
	empty = jw.first[jw.depth];
	if (jw.depth > 0)
		jw.depth--;
	if (!empty)
		indent(c);
	fputc(ch, stdout);
}

void pr_array_begin(struct cli *c, const char *key)
{
	open_(c, key, '[', true);
}

void pr_array_end(struct cli *c)
{
	close_(c, ']');
}

void pr_obj_begin(struct cli *c, const char *key)
{
	open_(c, key, '{', false);
}

void pr_obj_end(struct cli *c)
{
	close_(c, '}');
}

void pr_str(struct cli *c, const char *key, const char *fmt, const char *v)
{
	if (c->json) {
		member(c, key);
		pr_json_string(stdout, v ? v : "");
	} else if (fmt) {
		printf(fmt, v ? v : "");
	}
}

void pr_uint(struct cli *c, const char *key, const char *fmt, uint64_t v)
{
	if (c->json) {
		member(c, key);
		printf("%llu", (unsigned long long)v);
	} else if (fmt) {
		printf(fmt, (unsigned long long)v);
	}
}

void pr_int(struct cli *c, const char *key, const char *fmt, int64_t v)
{
	if (c->json) {
		member(c, key);
		printf("%lld", (long long)v);
	} else if (fmt) {
		printf(fmt, (long long)v);
	}
}

void pr_bool(struct cli *c, const char *key, const char *fmt, bool v)
{
	if (c->json) {
		member(c, key);
		fputs(v ? "true" : "false", stdout);
	} else if (fmt) {
		printf(fmt, v ? "true" : "false");
	}
}

void pr_text(struct cli *c, const char *fmt, ...)
{
	va_list ap;

	if (c->json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}
