// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The node's own view of the filesystem: binds and tmpfs from the spec, inside the rootfs
 * when there is one. Runs in the node's mount namespace (/ rslave: nothing propagates back
 * to the host), before any process starts.
 *
 * Bind sources are host paths: each is cloned (open_tree(OPEN_TREE_CLONE | AT_RECURSIVE))
 * before anything is mounted or the root changes, and the detached clones are attached
 * later at their targets in the node's final view.
 *
 * A target that does not exist is made without writing to the host's filesystem: its
 * deepest existing ancestor P is "shadowed". Where the kernel takes it, by an overlay with P
 * below and a directory of our own tmpfs above (the mounts below P put back on top of it);
 * else (P is "/", or an overlay already) by a tmpfs that holds, for each entry of P, a
 * placeholder with that entry bound on it (symlinks copied as symlinks), so what P held
 * stays visible (a /etc/resolv.conf bound by `ip netns exec` semantics included), and the
 * missing directories are made in that tmpfs. Nothing is ever created outside a tmpfs this
 * program mounted: that is checked by device number before every create.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "macro.h"
#include "sup.h"
#include "../rootfs.h"

struct mctx {
	struct sup_spec *s;
	const struct sup_mount *m; /* the mount being applied, for messages; NULL: the rootfs */
	dev_t *ours;		   /* the devices of the tmpfs mounted here */
	size_t n_ours, cap_ours;
	char *err;
	size_t size;
};

/* "bind SRC on DST: STEP: errno text", with the current errno. */
_printf_(2, 3) static int mfail(struct mctx *c, const char *fmt, ...)
{
	const struct sup_mount *m = c->m;
	int e = errno > 0 ? errno : EIO, n;
	char step[PATH_MAX + 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(step, sizeof(step), fmt, ap);
	va_end(ap);
	if (!m)
		n = snprintf(c->err, c->size, "rootfs %s", c->s->rootfs);
	else if (m->kind == MNT_BIND)
		n = snprintf(c->err, c->size, "bind %s on %s", m->src, m->dst);
	else
		n = snprintf(c->err, c->size, "tmpfs on %s", m->dst);
	if (n >= 0 && (size_t)n < c->size)
		snprintf(c->err + n, c->size - (size_t)n, ": %s: %s", step, strerror(e));
	errno = e;
	return -1;
}

static bool is_ours(const struct mctx *c, dev_t dev)
{
	for (size_t i = 0; i < c->n_ours; i++)
		if (c->ours[i] == dev)
			return true;
	return false;
}

static int add_ours(struct mctx *c, int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -1;
	if (is_ours(c, st.st_dev))
		return 0;
	if (!GREEDY_REALLOC(c->ours, c->cap_ours, c->n_ours + 1)) {
		errno = ENOMEM;
		return -1;
	}
	c->ours[c->n_ours++] = st.st_dev;
	return 0;
}

/* A detached tmpfs (the new mount API): its mount fd, or -1 with *@step set. */
static int tmpfs_new(const char *source, unsigned mode, int64_t uid, int64_t gid,
		     const char **step)
{
	_cleanup_close_ int fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	char v[24];
	int fd;

	*step = "fsopen(tmpfs)";
	if (fs < 0)
		return -1;
	*step = "fsconfig";
	snprintf(v, sizeof(v), "%o", mode);
	if (fsconfig(fs, FSCONFIG_SET_STRING, "source", source, 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "mode", v, 0) < 0)
		return -1;
	snprintf(v, sizeof(v), "%lld", (long long)uid);
	if (uid >= 0 && fsconfig(fs, FSCONFIG_SET_STRING, "uid", v, 0) < 0)
		return -1;
	snprintf(v, sizeof(v), "%lld", (long long)gid);
	if (gid >= 0 && fsconfig(fs, FSCONFIG_SET_STRING, "gid", v, 0) < 0)
		return -1;
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -1;
	*step = "fsmount";
	fd = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	return fd;
}

/* A placeholder in the shadow @mfd for the entry @name of @pfd, with that entry on it. */
static int shadow_entry(struct mctx *c, int pfd, int mfd, const char *name)
{
	_cleanup_close_ int tree = -1;
	struct stat st;

	/* The lookup crosses mounts: a file bound over a symlink shows as that file. */
	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : mfail(c, "shadow: stat of %s", name);
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(pfd, name, target, sizeof(target) - 1);

		if (n < 0)
			return mfail(c, "shadow: readlink of %s", name);
		target[n] = '\0';
		if (symlinkat(target, mfd, name) < 0)
			return mfail(c, "shadow: symlink %s", name);
		/* The link's owner matters to nothing but the protected_symlinks rule: best effort. */
		if (fchownat(mfd, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
			errno = 0;
		return 0;
	}
	if (S_ISDIR(st.st_mode)) {
		if (mkdirat(mfd, name, 0755) < 0)
			return mfail(c, "shadow: mkdir %s", name);
	} else {
		int fd = openat(mfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);

		if (fd < 0)
			return mfail(c, "shadow: placeholder %s", name);
		close(fd);
	}
	tree = open_tree(pfd, name, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE |
				      AT_SYMLINK_NOFOLLOW);
	if (tree < 0)
		return mfail(c, "shadow: open_tree of %s", name);
	if (move_mount(tree, "", mfd, name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return mfail(c, "shadow: bind of %s", name);
	return 0;
}

/*
 * The shadow of "/" becomes the root of the mount namespace, as with a rootfs: pivot_root
 * into it and detach the old root from on top (the entries were cloned, so nothing they
 * show goes with it). A chroot would do for this process, but not for one that joins the
 * namespace later (`nslab exec`): setns() puts it at the namespace's root.
 */
static int enter_root_shadow(struct mctx *c, int mfd)
{
	if (fchdir(mfd) < 0)
		return mfail(c, "shadow: chdir into the shadow of /");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return mfail(c, "shadow: pivot_root into the shadow of /");
	if (umount2(".", MNT_DETACH) < 0)
		return mfail(c, "shadow: umount of the old root");
	if (chdir("/") < 0)
		return mfail(c, "shadow: chdir /");
	return 0;
}

/* The mount points strictly below @dir (from /proc/self/mountinfo, unescaped), those
 * under another of them left out: what an overlay on @dir must put back on top. */
static size_t submounts(const char *dir, char (*v)[PATH_MAX], size_t max)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	size_t n = 0, dl = strlen(dir);
	char line[PATH_MAX * 2 + 512];

	while (f && fgets(line, sizeof(line), f)) {
		char raw[PATH_MAX], mp[PATH_MAX];
		size_t k = 0;
		bool under = false;

		if (sscanf(line, "%*s %*s %*s %*s %4095s", raw) != 1)
			continue;
		for (const char *p = raw; *p && k + 1 < sizeof(mp); p++) {
			if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] && p[3]) {
				mp[k++] = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
				p += 3;
			} else {
				mp[k++] = *p;
			}
		}
		mp[k] = '\0';
		if (strncmp(mp, dir, dl) || mp[dl] != '/' || !mp[dl + 1])
			continue;
		for (size_t i = 0; i < n && !under; i++) {
			size_t il = strlen(v[i]);

			under = !strncmp(mp, v[i], il) && (mp[il] == '/' || !mp[il]);
		}
		if (!under && n < max)
			snprintf(v[n++], PATH_MAX, "%s", mp);
	}
	return n;
}

/*
 * Cover @dir with an overlay: @dir itself below, above it a directory of a fresh tmpfs of
 * ours, so what is made in it lands in that tmpfs; the mounts below @dir (a resolv.conf
 * bound by netns exec semantics) are cloned first and put back on top. One mount instead of
 * one per entry of @dir. 0; -1 with errno when the kernel takes no overlay here (a lower
 * layer that is an overlay already, say): the caller then shadows with a tmpfs.
 */
static int shadow_overlay(struct mctx *c, const char *dir)
{
	static char subs[16][PATH_MAX];
	int trees[16];
	_cleanup_close_ int mfd = -1;
	char opts[PATH_MAX + 128];
	const char *step;
	struct stat st;
	size_t n;
	int r = -1;

	if (!strcmp(dir, "/") || strpbrk(dir, ",:\\") || stat(dir, &st) < 0)
		return -1;
	n = submounts(dir, subs, 16);
	if (n == 16)
		return -1; /* more than we put back by hand: the tmpfs way takes them all */
	mfd = tmpfs_new("nslab-shadow", 0700, -1, -1, &step);
	if (mfd < 0 || mkdirat(mfd, "upper", st.st_mode & 07777) < 0 || mkdirat(mfd, "work", 0700) < 0 ||
	    fchownat(mfd, "upper", st.st_uid, st.st_gid, 0) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		trees[i] = open_tree(AT_FDCWD, subs[i], OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=/proc/self/fd/%d/upper,workdir=/proc/self/fd/%d/work",
		 dir, mfd, mfd);
	for (size_t i = 0; i < n; i++)
		if (trees[i] < 0)
			goto out;
	if (mount("nslab-shadow", dir, "overlay", MS_NOSUID | MS_NODEV, opts) < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (move_mount(trees[i], "", AT_FDCWD, subs[i], MOVE_MOUNT_F_EMPTY_PATH) < 0) {
			/* Half put back: take the overlay off again, the tmpfs way follows. */
			umount2(dir, MNT_DETACH);
			goto out;
		}
	if (stat(dir, &st) < 0 || !GREEDY_REALLOC(c->ours, c->cap_ours, c->n_ours + 1))
		goto out;
	c->ours[c->n_ours++] = st.st_dev;
	r = 0;
out:
	for (size_t i = 0; i < n; i++)
		if (trees[i] >= 0)
			close(trees[i]);
	return r;
}

/*
 * Cover the directory @dir (a real path) with a shadow tmpfs. Its root gets @dir's mode and
 * owner. The entries are read, and later cloned, through @pfd, which still shows @dir's old
 * contents once the tmpfs is on top. For "/" the mount goes over the root, which a lookup
 * of "/" never crosses: the namespace's root then moves onto it.
 */
static int shadow(struct mctx *c, const char *dir)
{
	_cleanup_close_ int pfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int mfd = -1;
	_cleanup_(closedirp) DIR *d = NULL;
	const char *step;
	struct dirent *de;
	struct stat st;

	if (pfd < 0 || fstat(pfd, &st) < 0)
		return mfail(c, "shadow: open %s", dir);
	if (shadow_overlay(c, dir) == 0)
		return 0;
	mfd = tmpfs_new("nslab-shadow", st.st_mode & 07777, st.st_uid, st.st_gid, &step);
	if (mfd < 0)
		return mfail(c, "shadow of %s: %s", dir, step);
	d = fdopendir(fcntl(pfd, F_DUPFD_CLOEXEC, 3));
	if (!d)
		return mfail(c, "shadow: read %s", dir);
	if (move_mount(mfd, "", AT_FDCWD, dir, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return mfail(c, "shadow: mount over %s", dir);
	if (add_ours(c, mfd) < 0)
		return mfail(c, "shadow: fstat");
	while ((errno = 0, de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    shadow_entry(c, pfd, mfd, de->d_name) < 0)
			return -1;
	if (errno)
		return mfail(c, "shadow: read %s", dir);
	if (!strcmp(dir, "/"))
		return enter_root_shadow(c, mfd);
	return 0;
}

/* Make the missing components @rest ("/a/b") under the directory @dir, which is in one of
 * our tmpfs; the last one a directory when @last_dir, else an empty file. */
static int make_rest(struct mctx *c, const char *dir, const char *rest, bool last_dir)
{
	_cleanup_close_ int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	char buf[PATH_MAX], *save = NULL;
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		return mfail(c, "open %s", dir);
	if (!is_ours(c, st.st_dev)) {
		errno = EXDEV; /* never: shadow() covered it */
		return mfail(c, "%s is not in a tmpfs of the node", dir);
	}
	snprintf(buf, sizeof(buf), "%s", rest);
	for (char *comp = strtok_r(buf, "/", &save); comp;) {
		char *next = strtok_r(NULL, "/", &save);
		int nfd;

		if (!next && !last_dir) {
			nfd = openat(fd, comp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
			if (nfd < 0)
				return mfail(c, "create %s", comp);
			close(nfd);
			return 0;
		}
		if (mkdirat(fd, comp, 0755) < 0 && errno != EEXIST)
			return mfail(c, "mkdir %s", comp);
		nfd = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0)
			return mfail(c, "open %s", comp);
		close(fd);
		fd = nfd;
		comp = next;
	}
	return 0;
}

/* The deepest existing ancestor of @path, into @buf: "/" at worst. */
static int deepest_ancestor(struct mctx *c, const char *path, char *buf, size_t size)
{
	struct stat st;

	snprintf(buf, size, "%s", path);
	for (;;) {
		char *slash = strrchr(buf, '/');

		if (slash == buf) {
			buf[1] = '\0';
			return 0;
		}
		*slash = '\0';
		if (stat(buf, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				return 0;
			errno = ENOTDIR;
			return mfail(c, "%s", buf);
		}
		if (errno != ENOENT)
			return mfail(c, "stat %s", buf);
	}
}

/* Make the target of the current mount when it does not exist. */
static int ensure_target(struct mctx *c, const char *dst, bool dir)
{
	char anc[PATH_MAX], real[PATH_MAX];
	struct stat st;

	if ((dir ? stat(dst, &st) : lstat(dst, &st)) == 0)
		return 0;
	if (errno != ENOENT)
		return mfail(c, "stat %s", dst);
	if (deepest_ancestor(c, dst, anc, sizeof(anc)) < 0)
		return -1;
	if (!realpath(anc, real))
		return mfail(c, "realpath %s", anc);
	if (stat(real, &st) < 0)
		return mfail(c, "stat %s", real);
	if (!is_ours(c, st.st_dev) && shadow(c, real) < 0)
		return -1;
	return make_rest(c, real, dst + (strcmp(anc, "/") ? strlen(anc) : 0), dir);
}

/* Directory targets follow a symlink (a tmpfs on /var/run lands on /run); file targets
 * do not, as the launcher's /etc/netns binds (a symlinked resolv.conf is covered itself). */
static int attach(struct mctx *c, int tree, const char *dst, bool dir)
{
	if (move_mount(tree, "", AT_FDCWD, dst, MOVE_MOUNT_F_EMPTY_PATH |
						(dir ? MOVE_MOUNT_T_SYMLINKS : 0)) < 0)
		return mfail(c, "move_mount");
	return 0;
}

static int apply_tmpfs(struct mctx *c, const struct sup_mount *m)
{
	_cleanup_close_ int fd = -1;
	const char *step;

	if (ensure_target(c, m->dst, true) < 0)
		return -1;
	fd = tmpfs_new("nslab", m->mode, m->uid, m->gid, &step);
	if (fd < 0)
		return mfail(c, "%s", step);
	if (attach(c, fd, m->dst, true) < 0)
		return -1;
	return add_ours(c, fd) < 0 ? mfail(c, "fstat") : 0;
}

static int apply_bind(struct mctx *c, struct sup_mount *m)
{
	struct stat st;
	int r;

	if (fstat(m->tree, &st) < 0)
		return mfail(c, "fstat");
	if (ensure_target(c, m->dst, S_ISDIR(st.st_mode)) < 0)
		return -1;
	r = attach(c, m->tree, m->dst, S_ISDIR(st.st_mode));
	close(m->tree);
	m->tree = -1;
	return r;
}

/* Clone the bind sources in the host's view; "ro" applies to the whole cloned tree. */
static int clone_sources(struct mctx *c)
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };

	for (size_t i = 0; i < c->s->n_mounts; i++) {
		struct sup_mount *m = &c->s->mounts[i];

		if (m->kind != MNT_BIND)
			continue;
		c->m = m;
		m->tree = open_tree(AT_FDCWD, m->src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		if (m->tree < 0)
			return mfail(c, "%s", m->src);
		if (m->ro && mount_setattr(m->tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &ro, sizeof(ro)) < 0)
			return mfail(c, "read-only");
	}
	return 0;
}

/*
 * nsli_rootfs_enter() mounts /proc, /sys, /dev and /tmp in the rootfs and makes the mount
 * points it lacks: make them here first, in a shadow of the rootfs directory, so that the
 * host's directory is not written to either.
 */
static int enter_rootfs(struct mctx *c)
{
	static const char *const points[] = { "proc", "sys", "dev", "tmp" };
	const char *what = "rootfs";
	char path[PATH_MAX];

	c->m = NULL;
	for (size_t i = 0; i < ELEMENTSOF(points); i++) {
		snprintf(path, sizeof(path), "%s/%s", strcmp(c->s->rootfs, "/") ? c->s->rootfs : "",
			 points[i]);
		if (ensure_target(c, path, true) < 0)
			return -1;
	}
	if (nsli_rootfs_enter(c->s->rootfs, true, &what) < 0)
		return mfail(c, "%s", what);
	return 0;
}

int sup_mounts_apply(struct sup_spec *s, char *err, size_t size)
{
	struct mctx c = { .s = s, .err = err, .size = size };
	int r = clone_sources(&c);

	if (r == 0 && s->rootfs)
		r = enter_rootfs(&c);
	for (size_t i = 0; r == 0 && i < s->n_mounts; i++) {
		struct sup_mount *m = &s->mounts[i];

		c.m = m;
		r = m->kind == MNT_BIND ? apply_bind(&c, m) : apply_tmpfs(&c, m);
	}
	free(c.ours);
	return r;
}
