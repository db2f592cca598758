// SPDX-License-Identifier: LGPL-2.1-or-later
#include <fcntl.h>

#include <sys/stat.h>

#include "core.h"
#include "ctx-internal.h"

static const struct {
	const char *env;
	const char *def;
} dir_defaults[_NSL_DIR_MAX] = {
	[NSL_DIR_RUN] = { "NSLAB_RUN_DIR", "/var/run/netns" },
	[NSL_DIR_ETC] = { "NSLAB_ETC_DIR", "/etc/netns" },
	[NSL_DIR_STATE] = { "NSLAB_STATE_DIR", "/run/nslab" },
	[NSL_DIR_LIBEXEC] = { "NSLAB_LIBEXEC_DIR", NSLAB_LIBEXECDIR "/nslab" },
};

_public_ int nsl_ctx_new(struct nsl_ctx **ret, struct nsl_err *err)
{
	struct nsl_ctx *ctx = calloc(1, sizeof(*ctx));

	if (!ctx)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	ctx->home_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (ctx->home_fd < 0) {
		int r = negerrno();

		free(ctx);
		return nsl_err_set(err, NSL_E_SYSTEM, r, "/proc/self/ns/net", "cannot open: %s",
				   strerror(-r));
	}
	ctx->max_sessions = 256;
	ctx->proc_fd = -1;
	ctx->etc_fd = -1;
	for (int i = 0; i < _NSL_DIR_MAX; i++) {
		const char *e = secure_getenv(dir_defaults[i].env);

		/* A relative or empty override is an error, as the option's would be: never a
		 * silent use of the default. */
		if (e && e[0] != '/') {
			nsl_ctx_free(ctx);
			return nsl_err_set(err, NSL_E_USAGE, -EINVAL, e, "directory must be an absolute path");
		}
		ctx->dirs[i] = strdup(e ? e : dir_defaults[i].def);
		if (!ctx->dirs[i]) {
			nsl_ctx_free(ctx);
			return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
		}
	}
	*ret = ctx;
	return 0;
}

_public_ struct nsl_ctx *nsl_ctx_free(struct nsl_ctx *ctx)
{
	if (!ctx)
		return NULL;
	nsli_nl_close_all(ctx);
	if (ctx->proc_fd >= 0)
		close(ctx->proc_fd);
	if (ctx->etc_fd >= 0)
		close(ctx->etc_fd);
	for (int i = 0; i < _NSL_DIR_MAX; i++)
		free(ctx->dirs[i]);
	free(ctx->netns);
	if (ctx->home_fd >= 0)
		close(ctx->home_fd);
	free(ctx);
	return NULL;
}

_public_ int nsl_ctx_set_dir(struct nsl_ctx *ctx, enum nsl_dir which, const char *path,
			     struct nsl_err *err)
{
	char *p;

	if ((unsigned)which >= _NSL_DIR_MAX || !path || path[0] != '/')
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, path, "directory must be an absolute path");
	p = strdup(path);
	if (!p)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	free(ctx->dirs[which]);
	ctx->dirs[which] = p;
	if (which == NSL_DIR_ETC && ctx->etc_fd >= 0)
		close(TAKE_FD(ctx->etc_fd));
	return 0;
}

int nsli_ctx_etc_fd(struct nsl_ctx *ctx, bool create)
{
	const char *etc = ctx->dirs[NSL_DIR_ETC];
	struct stat st;

	/* Kept while it is still linked in: a lab writes two files a node into it. */
	if (ctx->etc_fd >= 0 && fstat(ctx->etc_fd, &st) == 0 && st.st_nlink > 0)
		return ctx->etc_fd;
	if (ctx->etc_fd >= 0)
		close(TAKE_FD(ctx->etc_fd));
	if (create && mkdir(etc, 0755) < 0 && errno != EEXIST)
		return negerrno();
	ctx->etc_fd = open(etc, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return ctx->etc_fd >= 0 ? ctx->etc_fd : negerrno();
}

_public_ const char *nsl_ctx_get_dir(const struct nsl_ctx *ctx, enum nsl_dir which)
{
	return (unsigned)which < _NSL_DIR_MAX ? ctx->dirs[which] : NULL;
}

_public_ int nsl_ctx_set_netns(struct nsl_ctx *ctx, const char *netns, struct nsl_err *err)
{
	_cleanup_close_ int fd = -1;
	char *dup = NULL;
	int r;

	if (netns) {
		r = nsli_ns_open(ctx, netns, &fd, err);
		if (r < 0)
			return r;
		dup = strdup(netns);
		if (!dup)
			return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	}
	free(ctx->netns);
	ctx->netns = dup;
	return 0;
}

_public_ const char *nsl_ctx_get_netns(const struct nsl_ctx *ctx)
{
	return ctx->netns;
}

int nsli_ctx_home_fd(const struct nsl_ctx *ctx)
{
	return ctx->home_fd;
}
