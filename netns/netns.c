// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Named network namespaces, interchangeable with `ip netns` in both directions: the same run
 * dir, the same flock on it, the same shared-mount setup, the same mode-0 name files.
 */
#include <ctype.h>
#include <fcntl.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <linux/nsfs.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <sys/vfs.h>

#include "core.h"
#include "nslab/launch.h"
#include "nslab/netns.h"
#include "nslab/parse.h"

static int name_ok(const char *name, struct nsl_err *err)
{
	return nsl_parse_nsname(name, err);
}

/* lo up, and its alias set to the maker's mark when there is one (nsl_netns_opts.mark):
 * called inside the new netns, before it is bind-mounted under its name. */
static int lo_up(struct nsl_ctx *ctx, const char *name, void *data, struct nsl_err *err)
{
	const char *alias = data;
	char buf[512] = { 0 };
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	struct nsl_nl *nl;
	int r;

	r = nsli_nl_get(ctx, name, &nl, err);
	if (r < 0)
		return r;
	h->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));
	ifi->ifi_index = 1; /* loopback is always ifindex 1 in a new netns */
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	if (alias)
		mnl_attr_put_strz(h, IFLA_IFALIAS, alias);
	return nsli_nl_talk(nl, h, err);
}

#define NAME_MARK_XATTR "trusted.nslab.mark"

static int name_file_error(const char *path, const char *name, int r, struct nsl_err *err)
{
	if (r == -EEXIST)
		return nsl_err_set(err, NSL_E_CONFLICT, r, name, "netns '%s' already exists", name);
	return nsl_err_set(err, NSL_E_SYSTEM, r, name, "create %s: %s", path, strerror(-r));
}

/* RUN_DIR/.NAME.nslab-XXXXXXXX: where a marked name file is made before it gets its name. */
static int tmp_name(const char *path, const char *name, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/');
	uint32_t rnd;

	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		rnd = (uint32_t)getpid();
	return snprintf(buf, size, "%.*s/.%s.nslab-%08x", (int)(slash - path), path, name, rnd) < (int)size ? 0
												: -ENAMETOOLONG;
}

/*
 * The mode-0 name file, created O_EXCL. With @mark, it carries the maker's mark (an xattr)
 * from the moment it has its name: it is made under a temporary name, marked, then linked
 * to @path (link() never replaces, so it fails as O_EXCL would). Should the maker die before
 * the bind mount, the plain file left at @path is still provably its own
 * (nsl_netns_name_marked()); a temporary file left is swept (nsl_netns_sweep()).
 */
static int create_name_file(const char *path, const char *name, const char *mark, struct nsl_err *err)
{
	char tmp[4096];
	int fd, r;

	if (!mark || tmp_name(path, name, tmp, sizeof(tmp)) < 0) {
		fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
		if (fd < 0)
			return name_file_error(path, name, negerrno(), err);
		close(fd);
		return 0;
	}
	fd = open(tmp, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return name_file_error(tmp, name, negerrno(), err);
	/* A file system without trusted xattrs: the name file is unmarked, as ip's. */
	(void)fsetxattr(fd, NAME_MARK_XATTR, mark, strlen(mark), 0);
	close(fd);
	r = link(tmp, path) < 0 ? negerrno() : 0;
	unlink(tmp);
	return r < 0 ? name_file_error(path, name, r, err) : 0;
}

static bool file_marked(const char *path, const char *mark)
{
	char v[256];
	ssize_t n = lgetxattr(path, NAME_MARK_XATTR, v, sizeof(v));

	return n == (ssize_t)strlen(mark) && !memcmp(v, mark, (size_t)n);
}

_public_ int nsl_netns_name_marked(struct nsl_ctx *ctx, const char *name, const char *mark)
{
	char path[4096];
	struct stat st;

	if (name_ok(name, NULL) < 0 || !mark || !nsli_ns_path(ctx, name, path, sizeof(path)))
		return -EINVAL;
	if (lstat(path, &st) < 0)
		return negerrno();
	return S_ISREG(st.st_mode) && st.st_size == 0 && file_marked(path, mark);
}

_public_ int nsl_netns_sweep(struct nsl_ctx *ctx, const char *name, const char *mark)
{
	_cleanup_(closedirp) DIR *d = NULL;
	char prefix[128];
	size_t len;
	struct dirent *de;
	int n = 0;

	if ((name && name_ok(name, NULL) < 0) || !mark)
		return -EINVAL;
	d = opendir(nsl_ctx_get_dir(ctx, NSL_DIR_RUN));
	if (!d)
		return errno == ENOENT ? 0 : negerrno();
	len = (size_t)snprintf(prefix, sizeof(prefix), ".%s.nslab-", name ? name : "");
	while ((de = readdir(d))) {
		char path[4096];
		const char *tail = de->d_name + len;

		/* Without a name: any ".NAME.nslab-XXXXXXXX", its mark being the proof. */
		if (!name) {
			size_t k = strlen(de->d_name);

			tail = k >= 17 && de->d_name[0] == '.' ? de->d_name + k - 8 : "";
			if (!tail[0] || strncmp(tail - 7, ".nslab-", 7))
				continue;
		} else if (strncmp(de->d_name, prefix, len)) {
			continue;
		}
		if (strlen(tail) != 8 ||
		    snprintf(path, sizeof(path), "%s/%s", nsl_ctx_get_dir(ctx, NSL_DIR_RUN), de->d_name) >=
			    (int)sizeof(path))
			continue;
		if (file_marked(path, mark) && unlinkat(dirfd(d), de->d_name, 0) == 0)
			n++;
	}
	return n;
}

/*
 * Steps 1-4 of `ip netns add`, shared by add and attach: a valid name, the run dir set up,
 * and the mode-0 name file created O_EXCL at @path (marked with @mark, when not NULL).
 */
static int reserve_name(struct nsl_ctx *ctx, const char *name, const char *mark, char *path, size_t size,
			struct nsl_err *err)
{
	int r = name_ok(name, err);

	if (r < 0)
		return r;
	if (!nsli_ns_path(ctx, name, path, size))
		return nsl_err_set(err, NSL_E_USAGE, -ENAMETOOLONG, name, "path too long");
	r = nsli_ns_prepare_run_dir(ctx, err);
	if (r < 0)
		return r;
	return create_name_file(path, name, mark, err);
}

_public_ int nsl_netns_add_opts(struct nsl_ctx *ctx, const char *name, const struct nsl_netns_opts *o,
				struct nsl_err *err)
{
	static const struct nsl_sysctl_kv ipv6_off = { "net/ipv6/conf/all/disable_ipv6", "1" };
	char path[4096];
	int r;

	if (o && o->mark && (!*o->mark || strlen(o->mark) >= 256))
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, name, "mark must be 1-255 bytes");
	r = reserve_name(ctx, name, o ? o->mark : NULL, path, sizeof(path), err);
	if (r < 0)
		return r;
	/* The session and the sysctls are set up from inside: no setns pair for each. */
	r = nsli_ns_unshare_net(ctx, path, name, &ipv6_off, o && o->ipv6_off, lo_up,
			       (void *)(o ? o->mark : NULL), err);
	if (r < 0)
		goto err_umount;
	return 0;

err_umount:
	nsli_nl_forget(ctx, name);
	umount2(path, MNT_DETACH); /* EINVAL when the bind mount itself failed */
	unlink(path);
	return r;
}

_public_ int nsl_netns_add(struct nsl_ctx *ctx, const char *name, struct nsl_err *err)
{
	return nsl_netns_add_opts(ctx, name, NULL, err);
}

_public_ int nsl_netns_attach(struct nsl_ctx *ctx, const char *name, pid_t pid, struct nsl_err *err)
{
	char path[4096], src[64];
	struct stat st;
	int r;

	if (pid <= 0)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, name, "invalid PID");
	snprintf(src, sizeof(src), "/proc/%d/ns/net", (int)pid);
	if (stat(src, &st) < 0)
		return nsl_err_set(err, NSL_E_USAGE, -ESRCH, name, "no process %d", (int)pid);
	r = reserve_name(ctx, name, NULL, path, sizeof(path), err);
	if (r < 0)
		return r;
	if (mount(src, path, "none", MS_BIND, NULL) < 0) {
		r = nsl_err_set(err, NSL_E_SYSTEM, negerrno(), name, "bind %s: %s", src, strerror(errno));
		unlink(path);
		return r;
	}
	return 0;
}

_public_ int nsl_netns_del(struct nsl_ctx *ctx, const char *name, struct nsl_err *err)
{
	char path[4096];
	struct stat st;

	if (strchr(name, '/') || STREQ(name, ".") || STREQ(name, "..") || !*name)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, name, "invalid netns name");
	if (!nsli_ns_path(ctx, name, path, sizeof(path)))
		return nsl_err_set(err, NSL_E_USAGE, -ENAMETOOLONG, name, "path too long");
	if (lstat(path, &st) < 0)
		return nsl_err_set(err, errno == ENOENT ? NSL_E_USAGE : NSL_E_SYSTEM, negerrno(), name,
				   errno == ENOENT ? "netns '%s' does not exist" : "%s", name);
	/* Our cached socket would keep the namespace alive after the name is gone. */
	nsli_nl_forget(ctx, name);
	/* A symlink (containerlab, pipework) is not a mount: only unlink it. */
	if (!S_ISLNK(st.st_mode))
		umount2(path, MNT_DETACH);
	if (unlink(path) < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), name, "cannot remove %s: %s", path,
				   strerror(errno));
	return 0;
}

_public_ int nsl_netns_exists(struct nsl_ctx *ctx, const char *name, struct nsl_err *err)
{
	_cleanup_close_ int fd = -1;
	char path[4096];
	struct stat st;
	bool named = !strchr(name, '/') && strncmp(name, "pid:", 4) != 0 && *name &&
		     !STREQ(name, ".") && !STREQ(name, "..");
	int r = nsli_ns_open(ctx, name, &fd, NULL);

	if (r == 0)
		return 1;
	/* A dangling symlink or a plain file left by a failed mount: stale. */
	if (named && (r == -ENOENT || r == -EINVAL))
		return nsli_ns_path(ctx, name, path, sizeof(path)) && lstat(path, &st) == 0 ? 2 : 0;
	/* A path that is not there is no netns; a bad path, a PID, a bad name is an error. */
	if (r == -ENOENT && strchr(name, '/'))
		return 0;
	r = nsli_ns_open(ctx, name, &fd, err);
	return r == 0 ? 1 : r;
}

/* RTM_GETNSID for the netns file @fd, asked in the context's current netns. */
static int nsid_cb(const struct nlmsghdr *h, void *data)
{
	struct nlattr *a;

	mnl_attr_for_each(a, h, sizeof(struct rtgenmsg))
		if (mnl_attr_get_type(a) == NETNSA_NSID)
			*(int *)data = (int)mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int get_nsid_fd(struct nsl_ctx *ctx, int fd, struct nsl_err *err)
{
	char buf[128] = { 0 };
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct rtgenmsg *g;
	struct nsl_nl *nl;
	int nsid = -1, r;

	r = nsli_nl_get(ctx, NULL, &nl, err);
	if (r < 0)
		return r;
	h->nlmsg_type = RTM_GETNSID;
	h->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(h, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	mnl_attr_put_u32(h, NETNSA_FD, (uint32_t)fd);
	r = nsli_nl_query(nl, h, nsid_cb, &nsid, err);
	if (r < 0)
		return r;
	return nsid < 0 ? -1 : nsid;
}

_public_ int nsl_netns_get_nsid(struct nsl_ctx *ctx, const char *name, struct nsl_err *err)
{
	_cleanup_close_ int fd = -1;
	int r = nsli_ns_open(ctx, name, &fd, err);

	if (r < 0)
		return r;
	return get_nsid_fd(ctx, fd, err);
}

_public_ int nsl_netns_set_nsid(struct nsl_ctx *ctx, const char *name, int nsid, struct nsl_err *err)
{
	char buf[128] = { 0 };
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	_cleanup_close_ int fd = -1;
	struct rtgenmsg *g;
	struct nsl_nl *nl;
	int r;

	r = nsli_ns_open(ctx, name, &fd, err);
	if (r < 0)
		return r;
	r = nsli_nl_get(ctx, NULL, &nl, err);
	if (r < 0)
		return r;
	h->nlmsg_type = RTM_NEWNSID;
	h->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	g = mnl_nlmsg_put_extra_header(h, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	mnl_attr_put_u32(h, NETNSA_FD, (uint32_t)fd);
	mnl_attr_put_u32(h, NETNSA_NSID, (uint32_t)nsid);
	r = nsli_nl_talk(nl, h, err);
	if (r == -EEXIST && err)
		err->kind = NSL_E_CONFLICT;
	if (r < 0 && err)
		snprintf(err->object, sizeof(err->object), "%s", name);
	return r;
}

static int cmp_info(const void *a, const void *b)
{
	return strcmp(((const struct nsl_netns_info *)a)->name, ((const struct nsl_netns_info *)b)->name);
}

_public_ int nsl_netns_list(struct nsl_ctx *ctx, struct nsl_netns_info **ret, size_t *ret_n,
			    struct nsl_err *err)
{
	const char *dir = nsl_ctx_get_dir(ctx, NSL_DIR_RUN);
	_cleanup_(closedirp) DIR *d = opendir(dir);
	_cleanup_free_ struct nsl_netns_info *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;

	if (!d && errno != ENOENT)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), dir, NULL);
	while (d && (de = readdir(d))) {
		_cleanup_close_ int fd = -1;

		if (de->d_name[0] == '.')
			continue;
		if (!GREEDY_REALLOC(v, cap, n + 1))
			return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
		memset(&v[n], 0, sizeof(v[n]));
		snprintf(v[n].name, sizeof(v[n].name), "%s", de->d_name);
		v[n].nsid = -1;
		if (nsli_ns_open(ctx, de->d_name, &fd, NULL) < 0)
			v[n].stale = true;
		else
			v[n].nsid = get_nsid_fd(ctx, fd, NULL);
		if (v[n].nsid < -1)
			v[n].nsid = -1;
		n++;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_info);
	*ret = TAKE_PTR(v);
	*ret_n = n;
	return 0;
}

static int stat_netns_of(pid_t pid, struct stat *st)
{
	char p[64];

	if (pid > 0)
		snprintf(p, sizeof(p), "/proc/%d/ns/net", (int)pid);
	else
		snprintf(p, sizeof(p), "/proc/self/ns/net");
	return stat(p, st) < 0 ? negerrno() : 0;
}

_public_ int nsl_netns_identify(struct nsl_ctx *ctx, pid_t pid, char *buf, size_t size,
				struct nsl_err *err)
{
	const char *dir = nsl_ctx_get_dir(ctx, NSL_DIR_RUN);
	_cleanup_(closedirp) DIR *d = NULL;
	struct stat nsli_want, st;
	struct dirent *de;
	int r;

	r = stat_netns_of(pid, &nsli_want);
	if (r < 0)
		return nsl_err_set(err, NSL_E_USAGE, r == -ENOENT ? -ESRCH : r, NULL, "no process %d", (int)pid);
	buf[0] = '\0';
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : nsl_err_set(err, NSL_E_SYSTEM, negerrno(), dir, NULL);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && fstatat(dirfd(d), de->d_name, &st, 0) == 0 &&
		    st.st_dev == nsli_want.st_dev && st.st_ino == nsli_want.st_ino)
			snprintf(buf, size, "%s", de->d_name);
	return 0;
}

_public_ int nsl_netns_pids(struct nsl_ctx *ctx, const char *name, pid_t **ret, size_t *ret_n,
			    struct nsl_err *err)
{
	_cleanup_(closedirp) DIR *d = NULL;
	_cleanup_free_ pid_t *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	dev_t dev;
	ino_t ino;
	int r;

	r = nsli_ns_ident(ctx, name, &dev, &ino, err);
	if (r < 0)
		return r;
	d = opendir("/proc");
	if (!d)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), "/proc", NULL);
	while ((de = readdir(d))) {
		struct stat st;
		char p[300];

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(p, sizeof(p), "%s/ns/net", de->d_name);
		if (fstatat(dirfd(d), p, &st, 0) < 0 || st.st_dev != dev || st.st_ino != ino)
			continue;
		if (!GREEDY_REALLOC(v, cap, n + 1))
			return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
		v[n++] = (pid_t)atoi(de->d_name);
	}
	*ret = TAKE_PTR(v);
	*ret_n = n;
	return 0;
}

/* ---- the processes of many netns at once (stopping a lab) ---- */

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

_public_ int nsl_netns_inode(struct nsl_ctx *ctx, const char *name, dev_t *ret_dev, ino_t *ret_ino,
			     struct nsl_err *err)
{
	_cleanup_close_ int fd = -1;
	char path[4096];
	struct statfs sfs;
	struct stat st;

	if (!name || !*name || strchr(name, '/') || STREQ(name, ".") || STREQ(name, ".."))
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, name, "invalid netns name");
	if (!nsli_ns_path(ctx, name, path, sizeof(path)))
		return nsl_err_set(err, NSL_E_USAGE, -ENAMETOOLONG, name, "path too long");
	/* An nsfs inode is a regular file: anything else (a FIFO would block the open) is not
	 * a namespace. A dangling symlink is ENOENT. */
	if (stat(path, &st) < 0)
		return nsl_err_set(err, errno == ENOENT ? NSL_E_USAGE : NSL_E_SYSTEM, negerrno(), name,
				   errno == ENOENT ? "netns '%s' does not exist" : "%s: %s", name,
				   strerror(errno));
	if (!S_ISREG(st.st_mode))
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, name, "'%s' is not a namespace", path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), name, "open %s: %s", path,
				   strerror(errno));
	if (fstatfs(fd, &sfs) < 0 || fstat(fd, &st) < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), name, NULL);
	if (sfs.f_type != (typeof(sfs.f_type))NSFS_MAGIC)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, name,
				   "not a namespace (a stale file left by a failed mount?)");
	if (ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, name, "not a network namespace");
	*ret_dev = st.st_dev;
	*ret_ino = st.st_ino;
	return 0;
}

/* A sorted copy of the inode numbers, for bsearch. Every netns inode lives on the one nsfs
 * superblock, so the number alone names a namespace. */
struct ino_set {
	ino_t *v;
	size_t n;
};

static int cmp_ino(const void *a, const void *b)
{
	ino_t x = *(const ino_t *)a, y = *(const ino_t *)b;

	return x < y ? -1 : x > y;
}

static int ino_set_make(const ino_t *inos, size_t n, struct ino_set *ret, struct nsl_err *err)
{
	ino_t *v;

	if (n && !inos)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, NULL, "no namespaces given");
	v = malloc((n ? n : 1) * sizeof(*v));
	if (!v)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	if (n)
		memcpy(v, inos, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_ino);
	*ret = (struct ino_set){ .v = v, .n = n };
	return 0;
}

static bool ino_set_has(const struct ino_set *s, ino_t ino)
{
	return s->n && bsearch(&ino, s->v, s->n, sizeof(*s->v), cmp_ino);
}

static bool pid_in_set(const struct ino_set *s, int procfd, const char *pid)
{
	char p[300];
	struct stat st;

	snprintf(p, sizeof(p), "%s/ns/net", pid);
	return fstatat(procfd, p, &st, 0) == 0 && ino_set_has(s, st.st_ino);
}

/*
 * One pass over /proc, as `ip netns pids` (the netns of each process's main thread; a
 * zombie has none). @skip (the caller, for kill) is left out. The start time is read after
 * the netns: if the PID was reused in between, the start time is the new process's, and
 * nsl_netns_kill_all() sees that it is not in the namespace.
 */
static int scan_procs(const struct ino_set *s, pid_t skip, struct nsl_proc_ref **ret, size_t *ret_n,
		      struct nsl_err *err)
{
	_cleanup_(closedirp) DIR *d = NULL;
	_cleanup_free_ struct nsl_proc_ref *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;

	d = opendir("/proc");
	if (!d)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), "/proc", NULL);
	while (s->n && (de = readdir(d))) {
		unsigned long long st;
		pid_t pid;

		if (!isdigit((unsigned char)de->d_name[0]) || !pid_in_set(s, dirfd(d), de->d_name))
			continue;
		pid = (pid_t)atoi(de->d_name);
		if (pid == skip || nsl_launch_starttime(pid, &st, NULL) < 0)
			continue;
		if (!GREEDY_REALLOC(v, cap, n + 1))
			return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
		v[n++] = (struct nsl_proc_ref){ .pid = pid, .starttime = st };
	}
	*ret = TAKE_PTR(v);
	*ret_n = n;
	return 0;
}

_public_ int nsl_netns_pids_in(const ino_t *inos, size_t n, struct nsl_proc_ref **ret,
			       size_t *ret_n, struct nsl_err *err)
{
	struct ino_set s;
	int r;

	r = ino_set_make(inos, n, &s, err);
	if (r < 0)
		return r;
	r = scan_procs(&s, 0, ret, ret_n, err);
	free(s.v);
	return r;
}

/* The filter of the kill: the held process is still in one of the namespaces. The /proc
 * read is about it only if its pidfd has not become readable since (PIDs are reused only
 * after the exit). */
static int still_inside(const struct nsl_proc_ref *ref, int pidfd, void *data)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)ref->pid);
	if (stat(path, &st) < 0 || !ino_set_has(data, st.st_ino))
		return 0;
	return poll(&p, 1, 0) == 0;
}

/* Rounds of scan + stop: a process that forks while it handles SIGTERM leaves children the
 * first round did not see. */
#define KILL_ROUNDS 4

static int kill_rounds(const struct ino_set *s, unsigned grace_ms, struct nsl_err *err)
{
	int killed = 0, r;

	for (int round = 0; round <= KILL_ROUNDS; round++) {
		_cleanup_free_ struct nsl_proc_ref *v = NULL;
		size_t n;

		r = scan_procs(s, getpid(), &v, &n, err);
		if (r < 0)
			return r;
		if (n == 0)
			return killed;
		if (round == KILL_ROUNDS)
			return nsl_err_set(err, NSL_E_SYSTEM, -EBUSY, NULL,
					   "%zu processes are still in the namespaces after %d rounds (PID %d)",
					   n, KILL_ROUNDS, (int)v[0].pid);
		r = nsl_launch_stop_all_filter(v, n, grace_ms, still_inside, (void *)s, err);
		if (r < 0)
			return r;
		killed += r;
	}
	return killed;
}

_public_ int nsl_netns_kill_all(const ino_t *inos, size_t n, unsigned grace_ms, struct nsl_err *err)
{
	struct ino_set s;
	int r;

	r = ino_set_make(inos, n, &s, err);
	if (r < 0)
		return r;
	r = kill_rounds(&s, grace_ms, err);
	free(s.v);
	return r;
}
