// SPDX-License-Identifier: LGPL-2.1-or-later
/* A running lab's nodes from outside: their processes, a command in their view, their logs. */
#include <fcntl.h>

#include "core.h"
#include "logfile.h"
#include "macro.h"
#include "run.h"
#include "sup.h"
#include "topo-internal.h"
#include "nslab/launch.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct nsl_topo *, nsl_topo_free);

static int find_node(const struct nsl_topo *t, const char *node, const struct nsl_topo_node **ret,
		     struct nsl_err *err)
{
	for (size_t i = 0; i < t->n_nodes; i++)
		if (STREQ(t->nodes[i].name, node)) {
			*ret = &t->nodes[i];
			return 0;
		}
	return nsl_err_set(err, NSL_E_USAGE, -ENOENT, node, "lab '%s' has no node '%s'", t->name, node);
}

_public_ int nsl_topo_procs(struct nsl_ctx *ctx, const char *lab, const char *node, struct nsl_topo_proc_state **ret,
			    size_t *ret_n, struct nsl_err *err)
{
	_cleanup_close_ int dirfd = -1;
	struct nsl_proc_ref ref;
	struct jstate js;
	int r;

	r = nsli_topo_state_dir(ctx, lab, false, &dirfd, err);
	if (r < 0)
		return r;
	r = nsli_journal_read(dirfd, lab, &js);
	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, lab, "journal of lab '%s' cannot be read", lab);
	r = nsli_sup_find(&js, node, &ref);
	nsli_jstate_free(&js);
	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, node, "node '%s' has no running supervisor", node);
	r = nsli_sup_status(dirfd, node, &ref, ret, ret_n);
	if (r == -ENOENT) {
		/* Started, not yet reporting. */
		*ret = NULL;
		*ret_n = 0;
		return 0;
	}
	return r < 0 ? nsl_err_set(err, NSL_E_SYSTEM, r, node, "node '%s': status: %s", node, strerror(-r)) : 0;
}

_public_ int nsl_topo_exec(struct nsl_ctx *ctx, const char *lab, const char *node, char *const *argv, int out_fd,
			   int *ret_status, struct nsl_err *err)
{
	_cleanup_(nsl_topo_freep) struct nsl_topo *t = NULL;
	_cleanup_free_ char **envp = NULL;
	const struct nsl_topo_node *n = NULL;
	const char *sh = secure_getenv("SHELL");
	char *shell[] = { (char *)(sh && sh[0] == '/' ? sh : "/bin/sh"), NULL };
	struct nsl_launch l;
	int r;

	r = nsl_topo_load_lab(ctx, lab, &t, err);
	if (r == 0)
		r = find_node(t, node, &n, err);
	if (r < 0)
		return r;
	envp = nsli_node_envp(n);
	if (!envp)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	nsl_launch_init(&l, argv ? argv : shell);
	l.envp = envp;
	l.output_fd = out_fd;
	if (n->supervised || n->run) {
		struct nsl_proc_ref ref;

		/* The supervisor up started, checked by its start time: a recycled PID is never
		 * entered. */
		if (nsl_topo_run_proc(ctx, lab, node, &ref, NULL) < 0)
			return nsl_err_set(err, NSL_E_SYSTEM, -ESRCH, node, "node '%s' has no running supervisor", node);
		l.join_pid = ref.pid;
		l.join_starttime = ref.starttime;
		l.join_ns = NSL_NS_ALL;
	} else {
		l.netns = n->netns;
	}
	return nsl_launch_exec(ctx, &l, ret_status, err);
}

_public_ char *nsl_topo_log_path(struct nsl_ctx *ctx, const char *lab, const char *node, const char *name, char *buf,
				 size_t size)
{
	snprintf(buf, size, "%s/%s/logs/%s/%s.log", nsl_ctx_get_dir(ctx, NSL_DIR_STATE), lab, node, name);
	return buf;
}

_public_ int nsl_topo_log_tail(struct nsl_ctx *ctx, const char *lab, const char *node, const char *name, size_t lines,
			       char **ret, struct nsl_err *err)
{
	_cleanup_close_ int dirfd = -1, logs = -1;
	char sub[PATH_MAX];
	int r;

	if (nsl_parse_labname(lab, NULL) < 0 || strchr(node, '/') || strchr(name, '/') || node[0] == '.' ||
	    name[0] == '.')
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, name, "bad log name");
	r = nsli_topo_state_dir(ctx, lab, false, &dirfd, err);
	if (r < 0)
		return r;
	snprintf(sub, sizeof(sub), "logs/%s", node);
	logs = openat(dirfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	r = logs < 0 ? negerrno() : nsli_logfile_tail(logs, name, lines, ret);
	if (r == -ENOENT)
		return nsl_err_set(err, NSL_E_USAGE, r, name, "node '%s' of lab '%s' has no log '%s'", node, lab, name);
	return r < 0 ? nsl_err_set(err, NSL_E_SYSTEM, r, name, "log '%s': %s", name, strerror(-r)) : 0;
}
