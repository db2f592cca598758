// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Lab state under STATE_DIR: LAB.lock (flock), LAB/journal (what up created, one line per
 * object, written and fsync'd before the kernel change), LAB/lab.yaml (the file of the last
 * complete up). Every path is opened relative to a directory fd with O_NOFOLLOW.
 */
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "core.h"
#include "journal.h"
#include "macro.h"

static int state_root(struct nsl_ctx *ctx, bool create, int *ret_fd, struct nsl_err *err)
{
	const char *dir = nsl_ctx_get_dir(ctx, NSL_DIR_STATE);
	int fd;

	if (create && mkdir(dir, 0755) < 0 && errno != EEXIST)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), dir, "cannot create the state dir %s: %m",
				   dir);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return nsl_err_set(err, errno == ENOENT ? NSL_E_USAGE : NSL_E_SYSTEM, negerrno(), dir,
				   "state dir %s: %m", dir);
	*ret_fd = fd;
	return 0;
}

int topo_state_dir(struct nsl_ctx *ctx, const char *lab, bool create, int *ret_fd,
		   struct nsl_err *err)
{
	_cleanup_close_ int root = -1;
	int fd, r;

	r = state_root(ctx, create, &root, err);
	if (r < 0)
		return r;
	if (create && mkdirat(root, lab, 0700) < 0 && errno != EEXIST)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), lab, "mkdir %s: %m", lab);
	fd = openat(root, lab, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT
				       : nsl_err_set(err, NSL_E_SYSTEM, negerrno(), lab, "state of %s: %m", lab);
	*ret_fd = fd;
	return 0;
}

int journal_lock(struct nsl_ctx *ctx, const char *lab, int *ret_fd, struct nsl_err *err)
{
	_cleanup_close_ int root = -1;
	char name[64];
	int r;

	r = state_root(ctx, true, &root, err);
	if (r < 0)
		return r;
	snprintf(name, sizeof(name), "%s.lock", lab);
	/* `down` unlinks the lock file: whoever locked a file that is no longer the one at the
	 * path locked nothing, and tries again. */
	for (int tries = 0; tries < 100; tries++) {
		_cleanup_close_ int fd = openat(root, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		struct stat a, b;

		if (fd < 0)
			return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), lab, "lock file: %m");
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			if (errno == EWOULDBLOCK)
				return nsl_err_set(err, NSL_E_CONFLICT, -EBUSY, lab,
						   "lab '%s' is locked by another nslab", lab);
			return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), lab, "flock: %m");
		}
		if (fstat(fd, &a) == 0 && fstatat(root, name, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
		    a.st_ino == b.st_ino && a.st_dev == b.st_dev) {
			*ret_fd = TAKE_FD(fd);
			return 0;
		}
	}
	return nsl_err_set(err, NSL_E_CONFLICT, -EBUSY, lab, "lab '%s' lock keeps changing", lab);
}

void journal_unlock(struct nsl_ctx *ctx, const char *lab, int fd, bool remove)
{
	if (fd < 0)
		return;
	if (remove) {
		_cleanup_close_ int root = -1;
		char name[64];

		snprintf(name, sizeof(name), "%s.lock", lab);
		if (state_root(ctx, false, &root, NULL) == 0)
			unlinkat(root, name, 0);
	}
	close(fd);
}

/* ---- the journal file ---- */

int journal_open(int dirfd, const char *lab, struct journal *j, struct nsl_err *err)
{
	int fd = openat(dirfd, "journal", O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), lab, "journal: %m");
	j->fd = fd;
	return 0;
}

void journal_close(struct journal *j)
{
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t k = write(fd, s, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return negerrno();
		s += k;
		n -= (size_t)k;
	}
	return 0;
}

int journal_add(struct journal *j, const char *line, struct nsl_err *err)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "%s\n", line);
	int r;

	if (n <= 0 || (size_t)n >= sizeof(buf))
		return nsl_err_set(err, NSL_E_SYSTEM, -ENAMETOOLONG, NULL, "journal line too long");
	r = write_all(j->fd, buf, (size_t)n);
	if (r == 0 && fdatasync(j->fd) < 0)
		r = negerrno();
	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, NULL, "journal: %s", strerror(-r));
	return 0;
}

/* Write @name in @dirfd atomically and durably: temporary file, fsync, rename, fsync dir. */
int state_write(int dirfd, const char *name, const char *data, size_t len, struct nsl_err *err)
{
	char tmp[64];
	_cleanup_close_ int fd = -1;
	int r;

	snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
	unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), name, "state %s: %m", name);
	r = write_all(fd, data, len);
	if (r == 0 && fsync(fd) < 0)
		r = negerrno();
	if (r == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		r = negerrno();
	if (r < 0) {
		unlinkat(dirfd, tmp, 0);
		return nsl_err_set(err, NSL_E_SYSTEM, r, name, "state %s: %s", name, strerror(-r));
	}
	fsync(dirfd);
	return 0;
}

int state_read(int dirfd, const char *name, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;

	if (fd < 0)
		return negerrno();
	for (;;) {
		ssize_t k;

		if (len + 4096 + 1 > cap) {
			char *nb;

			cap = cap ? cap * 2 : 16384;
			if (cap > (size_t)64 << 20)
				return -EFBIG;
			nb = realloc(buf, cap);
			if (!nb)
				return -ENOMEM;
			buf = nb;
		}
		k = read(fd, buf + len, cap - len - 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return negerrno();
		if (k == 0)
			break;
		len += (size_t)k;
	}
	if (!buf && !(buf = malloc(1)))
		return -ENOMEM;
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	if (ret_len)
		*ret_len = len;
	return 0;
}

/* Parse the journal into its live entries: "+" lines add, "-" lines remove. */
/* The slot of @line in js->slot: its entry's, or the empty one where it would go. */
static size_t *jstate_slot(const struct jstate *js, const char *line)
{
	size_t mask = js->n_slots - 1, i = (size_t)nsl_hash64(NULL, line, 0) & mask;

	while (js->slot[i] && !STREQ(js->v[js->slot[i] - 1].line, line))
		i = (i + 1) & mask;
	return &js->slot[i];
}

/* Keep the table at most half full: lines are looked up once per journal line. */
static int jstate_grow(struct jstate *js)
{
	size_t *old = js->slot, n_old = js->n_slots;

	if (js->n + 1 <= js->n_slots / 2)
		return 0;
	js->n_slots = n_old ? n_old * 2 : 64;
	js->slot = calloc(js->n_slots, sizeof(*js->slot));
	if (!js->slot) {
		js->slot = old;
		js->n_slots = n_old;
		return -ENOMEM;
	}
	for (size_t i = 0; i < js->n; i++)
		*jstate_slot(js, js->v[i].line) = i + 1;
	free(old);
	return 0;
}

/* Remove the entry in @slot: the last entry takes its place in v, and linear probing
 * gets its chain mended by re-inserting what follows the hole. */
static void jstate_remove(struct jstate *js, size_t *slot)
{
	size_t mask = js->n_slots - 1, i = (size_t)(slot - js->slot), k = *slot - 1;

	free(js->v[k].line);
	*slot = 0;
	for (size_t j = (i + 1) & mask; js->slot[j]; j = (j + 1) & mask) {
		size_t e = js->slot[j];

		js->slot[j] = 0;
		*jstate_slot(js, js->v[e - 1].line) = e;
	}
	if (k != --js->n) {
		js->v[k] = js->v[js->n];
		*jstate_slot(js, js->v[k].line) = k + 1;
	}
}

int journal_read(int dirfd, struct jstate *js)
{
	_cleanup_free_ char *buf = NULL;
	char *save = NULL;
	int r;

	memset(js, 0, sizeof(*js));
	r = state_read(dirfd, "journal", &buf, NULL);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	js->exists = true;
	for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		bool del = l[0] == '-';
		size_t *slot;

		js->committed = STREQ(l, "commit");
		if (STREQ(l, "commit") || STREQ(l, "begin"))
			continue;
		if (del)
			l++;
		if (jstate_grow(js) < 0 || !GREEDY_REALLOC(js->v, js->cap, js->n + 1))
			return -ENOMEM;
		slot = jstate_slot(js, l);
		if (*slot) {
			if (del)
				jstate_remove(js, slot);
			continue;
		}
		if (del)
			continue;
		js->v[js->n].line = strdup(l);
		if (!js->v[js->n].line)
			return -ENOMEM;
		*slot = ++js->n;
	}
	return 0;
}

void jstate_free(struct jstate *js)
{
	for (size_t i = 0; i < js->n; i++)
		free(js->v[i].line);
	free(js->v);
	free(js->slot);
	memset(js, 0, sizeof(*js));
}
