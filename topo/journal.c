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

	/* Root's alone: what the journals say is acted on (each record is still checked). */
	if (create && mkdir(dir, 0700) < 0 && errno != EEXIST)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), dir, "cannot create the state dir %s: %m",
				   dir);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return nsl_err_set(err, errno == ENOENT ? NSL_E_USAGE : NSL_E_SYSTEM, negerrno(), dir,
				   "state dir %s: %m", dir);
	*ret_fd = fd;
	return 0;
}

int nsli_topo_state_dir(struct nsl_ctx *ctx, const char *lab, bool create, int *ret_fd,
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

int nsli_journal_lock(struct nsl_ctx *ctx, const char *lab, int *ret_fd, struct nsl_err *err)
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

void nsli_journal_unlock(struct nsl_ctx *ctx, const char *lab, int fd, bool remove)
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

#define JOURNAL_MAGIC "nslab-journal 2 "

int nsli_journal_open(int dirfd, const char *lab, struct journal *j, struct nsl_err *err)
{
	_cleanup_close_ int fd = openat(dirfd, "journal", O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
					0600);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), lab, "journal: %m");
	snprintf(j->lab, sizeof(j->lab), "%s", lab);
	if (st.st_size == 0) {
		char head[96];
		int n = snprintf(head, sizeof(head), JOURNAL_MAGIC "%s\n", lab);
		int r = nsl_write_buf(fd, head, (size_t)n);

		if (r < 0)
			return nsl_err_set(err, NSL_E_SYSTEM, r, lab, "journal: %s", strerror(-r));
	}
	j->fd = TAKE_FD(fd);
	return 0;
}

void nsli_journal_close(struct journal *j)
{
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
}

static uint32_t record_crc(const char *lab, const char *rec, size_t len)
{
	uint32_t crc = nsli_crc32(0, lab, strlen(lab));

	crc = nsli_crc32(crc, " ", 1);
	return nsli_crc32(crc, rec, len);
}

/* "CCCCCCCC RECORD\n" into @buf (at least strlen(@rec) + 11 bytes): the record's checksum
 * covers the lab's name too, so a journal copied from another lab does not verify. */
static size_t record_format(const char *lab, const char *rec, char *buf)
{
	size_t len = strlen(rec);

	sprintf(buf, "%08x ", record_crc(lab, rec, len));
	memcpy(buf + 9, rec, len);
	buf[9 + len] = '\n';
	return 10 + len;
}

int nsli_journal_add(struct journal *j, const char *line, struct nsl_err *err)
{
	char buf[600];
	size_t n;
	int r;

	if (strlen(line) > sizeof(buf) - 16 || strpbrk(line, "\n"))
		return nsl_err_set(err, NSL_E_SYSTEM, -ENAMETOOLONG, NULL, "journal record too long");
	n = record_format(j->lab, line, buf);
	r = nsl_write_buf(j->fd, buf, n);
	if (r == 0 && fdatasync(j->fd) < 0)
		r = negerrno();
	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, NULL, "journal: %s", strerror(-r));
	return 0;
}

int nsli_journal_render(const char *lab, const struct jstate *js, const char *last, char **ret, size_t *ret_len)
{
	size_t cap = strlen(JOURNAL_MAGIC) + strlen(lab) + 2 + (last ? strlen(last) + 11 : 0), len;
	char *buf;

	for (size_t i = 0; i < js->n; i++)
		cap += strlen(js->v[i].line) + 10;
	buf = malloc(cap + 1);
	if (!buf)
		return -ENOMEM;
	len = (size_t)sprintf(buf, JOURNAL_MAGIC "%s\n", lab);
	for (size_t i = 0; i < js->n; i++)
		len += record_format(lab, js->v[i].line, buf + len);
	if (last)
		len += record_format(lab, last, buf + len);
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	return 0;
}

/*
 * Write @name in @dirfd atomically and durably: temporary file, fsync, rename, fsync dir.
 * The lab lock serialises the writers, so the temporary name is the fixed ".NAME.tmp" that
 * remove_state() knows.
 */
int nsli_state_write(int dirfd, const char *name, const char *data, size_t len, struct nsl_err *err)
{
	int r = nsli_write_atomic(dirfd, name, &(struct iovec){ (void *)data, len }, 1, 0600,
				 NSL_WRITE_SYNC | NSL_WRITE_FIXED_TMP);

	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, name, "state %s: %s", name, strerror(-r));
	return 0;
}

int nsli_state_read(int dirfd, const char *name, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;

	if (fd < 0)
		return negerrno();
	for (;;) {
		/* Room to read 4 KiB at least, and 16 KiB at first: most state files fit in one read. */
		size_t need = len + 4096 + 1 < 16384 ? 16384 : len + 4096 + 1;
		ssize_t k;

		if (need > (size_t)64 << 20)
			return -EFBIG;
		if (!GREEDY_REALLOC(buf, cap, need))
			return -ENOMEM;
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
	size_t mask = js->n_slots - 1, i = (size_t)nsli_hash64(NULL, line, 0) & mask;

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

static void jstate_bad(struct jstate *js, unsigned line, const char *why)
{
	if (js->corrupt)
		return;
	js->corrupt = true;
	js->bad_line = line;
	snprintf(js->why, sizeof(js->why), "%s", why);
}

/* Apply one verified record: "+" lines add, "-" lines remove, begin/commit mark the state. */
static int jstate_apply(struct jstate *js, char *l)
{
	bool del = l[0] == '-';
	unsigned long n_live;
	size_t *slot;

	js->committed = false;
	if (STREQ(l, "begin"))
		return 0;
	if (!strncmp(l, "commit ", 7) && sscanf(l, "commit %lu", &n_live) == 1) {
		js->committed = js->ever_committed = true;
		if (n_live != js->n)
			jstate_bad(js, js->lines, "its commit counts another number of records");
		snprintf(js->commit, sizeof(js->commit), "%s", l);
		return 0;
	}
	if (del)
		l++;
	if (jstate_grow(js) < 0 || !GREEDY_REALLOC(js->v, js->cap, js->n + 1))
		return -ENOMEM;
	slot = jstate_slot(js, l);
	if (*slot) {
		if (del)
			jstate_remove(js, slot);
		return 0;
	}
	if (del)
		return 0;
	js->v[js->n].line = strdup(l);
	if (!js->v[js->n].line)
		return -ENOMEM;
	*slot = ++js->n;
	return 0;
}

/* A record line "CCCCCCCC RECORD": printable, and its checksum right. @l is not terminated
 * (the rest of the journal follows): no sscanf(), whose strlen() would read to the end of the
 * buffer for every record, n^2 over a journal. */
static bool record_ok(const char *lab, const char *l, size_t len)
{
	uint32_t crc = 0;

	if (len < 10 || l[8] != ' ')
		return false;
	for (size_t i = 0; i < 8; i++) {
		int d = l[i] >= '0' && l[i] <= '9' ? l[i] - '0' : l[i] >= 'a' && l[i] <= 'f' ? l[i] - 'a' + 10 : -1;

		if (d < 0)
			return false;
		crc = crc << 4 | (uint32_t)d;
	}
	for (size_t i = 9; i < len; i++)
		if ((unsigned char)l[i] < 0x20 || l[i] == 0x7f)
			return false;
	return crc == record_crc(lab, l + 9, len - 9);
}

int nsli_journal_read(int dirfd, const char *lab, struct jstate *js)
{
	_cleanup_free_ char *buf = NULL;
	char head[96];
	size_t len, hl;
	int r;

	memset(js, 0, sizeof(*js));
	r = nsli_state_read(dirfd, "journal", &buf, &len);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	js->exists = true;
	hl = (size_t)snprintf(head, sizeof(head), JOURNAL_MAGIC "%s\n", lab);
	if (len < hl || memcmp(buf, head, hl)) {
		jstate_bad(js, 1, len ? "its first line is not nslab's journal header" : "it is empty");
		hl = len ? (size_t)(strchrnul(buf, '\n') - buf) + 1 : 0;
		if (hl > len)
			hl = len;
	}
	js->lines = 1;
	/* Records are verified one by one; a bad one (truncated, NUL bytes, junk, a wrong
	 * checksum) makes the journal incomplete, and only the records that verify are kept,
	 * for `down --force`. */
	for (size_t at = hl; at < len;) {
		char *l = buf + at, *nl = memchr(l, '\n', len - at);
		size_t ll = nl ? (size_t)(nl - l) : len - at;

		js->lines++;
		at += ll + 1;
		if (!nl) {
			jstate_bad(js, js->lines, "its last record is cut short");
			break;
		}
		if (memchr(l, '\0', ll) || !record_ok(lab, l, ll)) {
			jstate_bad(js, js->lines, "a record does not verify");
			continue;
		}
		*nl = '\0';
		r = jstate_apply(js, l + 9);
		if (r < 0)
			return r;
	}
	return 0;
}

void nsli_jstate_free(struct jstate *js)
{
	free(js->files);
	for (size_t i = 0; i < js->n; i++)
		free(js->v[i].line);
	free(js->v);
	free(js->slot);
	memset(js, 0, sizeof(*js));
}
