// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Timestamped, size-capped log files (logfile.h). libc only: nslab-supervise links this
 * object without the rest of the library, so nothing here may call into other core/ files.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "logfile.h"
#include "macro.h"

/* A line longer than this is written in pieces, so a rotation can fall between them and a
 * file never passes NSLI_LOG_MAX by more than a stamp. */
#define SEGMENT_MAX (64 * 1024)
#define IOV_BATCH 64
#define MIN(a, b) ((a) < (b) ? (a) : (b))

bool nsli_logfile_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	return n > 0 && n <= NSLI_LOG_NAME_MAX && name[0] != '.' && !strchr(name, '/');
}

/* @width decimal digits of @v at @p (the high ones dropped); returns the end. */
static char *put_digits(char *p, unsigned long v, int width)
{
	for (int i = width - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
	return p + width;
}

void nsli_logfile_stamp(const struct timespec *ts, char buf[NSLI_LOG_STAMP_LEN + 1])
{
	static const struct {
		int width;
		char after;
	} parts[] = { { 4, '-' }, { 2, '-' }, { 2, 'T' }, { 2, ':' }, { 2, ':' }, { 2, '.' }, { 3, 'Z' } };
	unsigned long v[ELEMENTSOF(parts)];
	struct tm tm;
	char *p = buf;

	gmtime_r(&ts->tv_sec, &tm);
	/* Fixed width for every real clock: years 0000 to 9999. */
	v[0] = (unsigned long)(tm.tm_year + 1900);
	v[1] = (unsigned long)tm.tm_mon + 1;
	v[2] = (unsigned long)tm.tm_mday;
	v[3] = (unsigned long)tm.tm_hour;
	v[4] = (unsigned long)tm.tm_min;
	v[5] = (unsigned long)tm.tm_sec;
	v[6] = (unsigned long)ts->tv_nsec / 1000000;
	for (size_t i = 0; i < ELEMENTSOF(parts); i++) {
		p = put_digits(p, v[i], parts[i].width);
		*p++ = parts[i].after;
	}
	*p++ = ' ';
	*p = '\0';
}

static int write_iov(int fd, struct iovec *iov, int n, size_t *written)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return negerrno();
		}
		*written += (size_t)w;
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

static int write_str(struct nsli_logfile *l, const char *s)
{
	struct iovec iov = { .iov_base = (void *)s, .iov_len = strlen(s) };

	return write_iov(l->fd, &iov, 1, &l->size);
}

static int open_log(struct nsli_logfile *l, const char *fname)
{
	struct stat st;
	char last = '\n';

	l->fd = openat(l->dirfd, fname, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (l->fd < 0)
		return negerrno();
	if (fstat(l->fd, &st) < 0)
		return negerrno();
	l->size = (size_t)st.st_size;
	l->midline = false;
	/* A writer that died mid-line: start ours on a line of its own. */
	if (st.st_size > 0 && pread(l->fd, &last, 1, st.st_size - 1) == 1 && last != '\n')
		return write_str(l, "\n");
	return 0;
}

int nsli_logfile_open(int dirfd, const char *name, struct nsli_logfile *ret)
{
	struct nsli_logfile l = { .dirfd = -1, .fd = -1 };
	char fname[NAME_MAX + 1];
	int r;

	if (!nsli_logfile_name_ok(name))
		return -EINVAL;
	snprintf(fname, sizeof(fname), "%s.log", name);
	l.name = strdup(name);
	if (!l.name)
		return -ENOMEM;
	l.dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	r = l.dirfd < 0 ? negerrno() : open_log(&l, fname);
	if (r < 0) {
		nsli_logfile_close(&l);
		return r;
	}
	*ret = l;
	return 0;
}

void nsli_logfile_close(struct nsli_logfile *l)
{
	if (!l)
		return;
	if (l->fd >= 0)
		close(l->fd);
	if (l->dirfd >= 0)
		close(l->dirfd);
	free(l->name);
	*l = (struct nsli_logfile){ .dirfd = -1, .fd = -1 };
}

/* NAME.log becomes NAME.log.1 (replacing the older one) and a new NAME.log is started. */
static int rotate(struct nsli_logfile *l)
{
	char cur[NAME_MAX + 1], old[NAME_MAX + 1];

	if (l->midline)
		(void)write_str(l, "\n");
	snprintf(cur, sizeof(cur), "%s.log", l->name);
	snprintf(old, sizeof(old), "%s.log.1", l->name);
	if (renameat(l->dirfd, cur, l->dirfd, old) < 0)
		return negerrno();
	close(l->fd);
	return open_log(l, cur);
}

struct batch {
	struct iovec iov[IOV_BATCH];
	int n;
	size_t bytes; /* in iov[], not written yet */
};

static int flush(struct nsli_logfile *l, struct batch *b)
{
	int r = write_iov(l->fd, b->iov, b->n, &l->size);

	b->n = 0;
	b->bytes = 0;
	return r;
}

static void add(struct batch *b, const char *p, size_t len)
{
	b->iov[b->n++] = (struct iovec){ .iov_base = (void *)p, .iov_len = len };
	b->bytes += len;
}

int nsli_logfile_feed(struct nsli_logfile *l, const char *buf, size_t n)
{
	char stamp[NSLI_LOG_STAMP_LEN + 1];
	struct timespec ts;
	struct batch b = { .n = 0 };
	const char *p = buf, *end = buf + n;
	int r = 0;

	if (n == 0)
		return 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	nsli_logfile_stamp(&ts, stamp);
	while (p < end) {
		const char *nl = memchr(p, '\n', MIN((size_t)(end - p), (size_t)SEGMENT_MAX));
		size_t len = nl ? (size_t)(nl - p) + 1 : MIN((size_t)(end - p), (size_t)SEGMENT_MAX);
		size_t need = len + (l->midline ? 0 : NSLI_LOG_STAMP_LEN);

		if (l->size + b.bytes + need > NSLI_LOG_MAX && l->size + b.bytes > 0) {
			r = flush(l, &b);
			if (r < 0)
				return r;
			r = rotate(l);
			if (r < 0)
				return r;
		}
		if (!l->midline)
			add(&b, stamp, NSLI_LOG_STAMP_LEN);
		add(&b, p, len);
		l->midline = !nl;
		p += len;
		if (b.n >= IOV_BATCH - 1) {
			r = flush(l, &b);
			if (r < 0)
				return r;
		}
	}
	return flush(l, &b);
}

int nsli_logfile_printf(struct nsli_logfile *l, const char *fmt, ...)
{
	_cleanup_free_ char *s = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	if (n == 0 || s[n - 1] != '\n') {
		int r = nsli_logfile_feed(l, s, (size_t)n);

		return r < 0 ? r : nsli_logfile_feed(l, "\n", 1);
	}
	return nsli_logfile_feed(l, s, (size_t)n);
}

/* ---- reading ---- */

struct text {
	char *p;
	size_t len, cap;
};

/* Append @dirfd/@fname to @t, with a newline after it when it does not end in one.
 * Return: 0, -ENOENT when it does not exist, or another negative errno. */
static int append_file(struct text *t, int dirfd, const char *fname)
{
	_cleanup_close_ int fd = openat(dirfd, fname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	size_t start = t->len;

	if (fd < 0)
		return negerrno();
	for (;;) {
		ssize_t n;

		if (!GREEDY_REALLOC(t->p, t->cap, t->len + 65536 + 2))
			return -ENOMEM;
		n = read(fd, t->p + t->len, 65536);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return negerrno();
		if (n == 0)
			break;
		t->len += (size_t)n;
	}
	if (t->len > start && t->p[t->len - 1] != '\n')
		t->p[t->len++] = '\n';
	return 0;
}

static size_t count_lines(const char *p, size_t len)
{
	size_t n = 0;

	if (!p)
		return 0;
	for (const char *q = p; (q = memchr(q, '\n', len - (size_t)(q - p))); q++)
		n++;
	return n;
}

/* Read NAME.log.1 then NAME.log into @t; .1 only when NAME.log has fewer than @lines. */
static int read_both(int dirfd, const char *name, size_t lines, struct text *t)
{
	char cur[NAME_MAX + 1], old[NAME_MAX + 1];
	struct text c = { NULL, 0, 0 };
	int r_cur, r_old = -ENOENT;

	snprintf(cur, sizeof(cur), "%s.log", name);
	snprintf(old, sizeof(old), "%s.log.1", name);
	r_cur = append_file(&c, dirfd, cur);
	if (r_cur < 0 && r_cur != -ENOENT)
		goto fail;
	if (lines == 0 || count_lines(c.p, c.len) < lines) {
		r_old = append_file(t, dirfd, old);
		if (r_old < 0 && r_old != -ENOENT) {
			r_cur = r_old;
			goto fail;
		}
	}
	if (r_cur == -ENOENT && r_old == -ENOENT)
		goto fail;
	if (!GREEDY_REALLOC(t->p, t->cap, t->len + c.len + 1)) {
		r_cur = -ENOMEM;
		goto fail;
	}
	if (c.len)
		memcpy(t->p + t->len, c.p, c.len);
	t->len += c.len;
	t->p[t->len] = '\0';
	free(c.p);
	return 0;
fail:
	free(c.p);
	return r_cur;
}

int nsli_logfile_tail(int dirfd, const char *name, size_t lines, char **ret)
{
	struct text t = { NULL, 0, 0 };
	size_t start, seen = 0;
	int r;

	if (!nsli_logfile_name_ok(name))
		return -EINVAL;
	r = read_both(dirfd, name, lines, &t);
	if (r < 0) {
		free(t.p);
		return r;
	}
	start = lines ? t.len : 0;
	/* Back over @lines newlines: the last line's own newline is the first one met. */
	while (lines && start > 0) {
		if (t.p[start - 1] == '\n' && seen++ == lines)
			break;
		start--;
	}
	if (start > 0)
		memmove(t.p, t.p + start, t.len - start + 1);
	*ret = t.p;
	return 0;
}
