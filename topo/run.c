// SPDX-License-Identifier: LGPL-2.1-or-later
/* One up or down of a lab (run.h): its progress, its journal records, its notes. */
#include <signal.h>
#include <stdarg.h>

#include "core.h"
#include "macro.h"
#include "objs.h"
#include "run.h"
#include "sup.h"
#include "topo-internal.h"
#include "nslab/launch.h"

void nsli_run_init(struct run *R, struct nsl_ctx *ctx, const char *lab, nsl_topo_progress_fn progress,
		     void *data)
{
#ifdef NSLAB_TEST_HOOKS
	const char *s = secure_getenv("NSLAB_TEST_CRASH_AFTER");
#else
	const char *s = NULL;
#endif

	memset(R, 0, sizeof(*R));
	R->ctx = ctx;
	R->lab = lab;
	R->dirfd = -1;
	R->j.fd = -1;
	R->progress = progress;
	R->pdata = data;
	R->crash_after = s ? atol(s) : 0;
	snprintf(R->mark, sizeof(R->mark), NSL_TOPO_MARK_PREFIX "%s", lab);
	/* Derived from the lab name, so that down needs no record of it; bit 30 set to stay
	 * clear of the small numbers people give groups by hand, bit 31 clear so that `ip`
	 * (which reads groups as signed) can name it too. */
	R->group = 0x40000000u | (uint32_t)(nsli_hash64("nslab-group\n", lab, 0) & 0x3fffffffu);
}

/*
 * Test builds only (-DNSLAB_TEST_HOOKS, never libnslab or the installed nslab):
 * NSLAB_TEST_CRASH_AFTER=k dies by SIGKILL right after the k-th kernel change.
 */
void nsli_run_changed(struct run *R)
{
	R->changes++;
#ifdef NSLAB_TEST_HOOKS
	if (R->crash_after > 0 && R->changes == R->crash_after)
		kill(getpid(), SIGKILL);
#endif
}

void nsli_run_step(struct run *R, const char *op, const char *what)
{
	char buf[400];

	R->k++;
	if (R->k > R->n)
		R->n = R->k; /* more than counted: never show k above n */
	if (!R->progress)
		return;
	snprintf(buf, sizeof(buf), "%s %s", op, what);
	R->progress(R->pdata, R->k, R->n, buf);
}

int nsli_run_jadd(struct run *R, const char *fmt, ...)
{
	char line[400];
	va_list ap;

	if (R->j.fd < 0)
		return 0;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	return nsli_journal_add(&R->j, line, NULL);
}

void nsli_run_note(struct run *R, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!R->note)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	R->note(R->ndata, line);
}

static int forget_in(struct run *R, const struct jstate *js, const char *prefix)
{
	size_t len = strlen(prefix);
	int r = 0;

	for (size_t i = 0; r == 0 && i < js->n; i++)
		if (!strncmp(js->v[i].line, prefix, len))
			r = nsli_run_jadd(R, "-%s", js->v[i].line);
	return r;
}

int nsli_run_forget_in(struct run *R, const struct jstate *js, const char *fmt, ...)
{
	char prefix[300];
	va_list ap;

	if (R->j.fd < 0)
		return 0;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	return forget_in(R, js, prefix);
}

int nsli_run_forget(struct run *R, const char *fmt, ...)
{
	struct jstate js;
	char prefix[300];
	va_list ap;
	int r;

	if (R->j.fd < 0)
		return 0;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	r = nsli_journal_read(R->dirfd, R->lab, &js);
	if (r == 0)
		r = forget_in(R, &js, prefix);
	nsli_jstate_free(&js);
	return r;
}

int nsli_run_fail_obj(struct nsl_err *err, const struct obj *x, int r)
{
	char msg[sizeof(err->msg)];

	if (!err)
		return r;
	if (err->kind == NSL_E_NONE)
		nsl_err_set(err, NSL_E_SYSTEM, r, NULL, NULL);
	memcpy(msg, err->msg, sizeof(msg));
	snprintf(err->msg, sizeof(err->msg), "%.120s: %.130s", x->key, msg);
	snprintf(err->object, sizeof(err->object), "%s", "");
	if (err->kind == NSL_E_USAGE)
		err->kind = NSL_E_SYSTEM;
	return r;
}

/* The recorded `run` process of @node, when it still is the process started (its start time)
 * and not a zombie: -ESRCH otherwise, so that a recycled PID is never entered nor signalled. */
int nsli_run_find_proc(struct run *R, const char *node, struct nsl_proc_ref *ret)
{
	struct jstate js;
	int r = nsli_journal_read(R->dirfd, R->lab, &js);

	if (r == 0)
		r = nsli_sup_find(&js, node, ret);
	nsli_jstate_free(&js);
	return r;
}

/*
 * The root netns's links, sorted by name. Another lab coming up or going down at the same
 * time interrupts the dump (NLM_F_DUMP_INTR); core reads each interrupted answer to its end
 * and starts over, so the context's own root session stays usable.
 */
int nsli_root_links(struct nsl_ctx *ctx, struct nsl_link_info **ret, size_t *ret_n,
		      struct nsl_err *err)
{
	int r = nsl_link_list(ctx, NULL, NULL, ret, ret_n, err);

	if (r == 0 && *ret_n > 1)
		qsort(*ret, *ret_n, sizeof(**ret), nsli_link_cmp);
	return r;
}

int nsli_link_cmp(const void *a, const void *b)
{
	return strcmp(((const struct nsl_link_info *)a)->ifname, ((const struct nsl_link_info *)b)->ifname);
}
