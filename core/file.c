// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Whole-file writes: every file nslab keeps (the /etc/netns files, NIC records, lab state) is
 * written to a temporary name beside it and renamed into place, so a reader sees the old file
 * or the new one, never half of either. Names are relative to a directory fd and opened with
 * O_NOFOLLOW, so a planted symlink cannot redirect a write.
 */
#include <fcntl.h>
#include <limits.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "core.h"

int nsli_write_all(int fd, const struct iovec *iov, int n)
{
	size_t off = 0; /* bytes of iov[0] already written */

	while (n > 0) {
		ssize_t w;

		/* writev() takes at most IOV_MAX parts; a part begun is finished with write(). */
		if (off)
			w = write(fd, (const char *)iov->iov_base + off, iov->iov_len - off);
		else
			w = writev(fd, iov, n < IOV_MAX ? n : IOV_MAX);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return negerrno();
		off += (size_t)w;
		for (; n > 0 && off >= iov->iov_len; n--, iov++)
			off -= iov->iov_len;
		if (w == 0 && n > 0)
			return -EIO; /* no progress: never loop on a file that takes nothing */
	}
	return 0;
}

/*
 * Create the temporary file of @name in @dirfd, its name into @tmp. NSL_WRITE_FIXED_TMP:
 * ".NAME.tmp", a stale one (a writer that died) removed first; only for writers that a lock
 * serialises, and a crash leaves at most that one file, which the next write replaces.
 * Otherwise ".NAME.nslab-XXXXXXXX" with 32 random bits, O_EXCL, so that concurrent writers
 * never share one; a crash leaves that file for its owner to sweep.
 */
static int tmp_open(int dirfd, const char *name, mode_t mode, unsigned flags, char *tmp, size_t size)
{
	const int oflags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;

	if (flags & NSL_WRITE_FIXED_TMP) {
		int fd;

		if ((size_t)snprintf(tmp, size, ".%s.tmp", name) >= size)
			return -ENAMETOOLONG;
		(void)unlinkat(dirfd, tmp, 0);
		fd = openat(dirfd, tmp, oflags, mode);
		return fd < 0 ? negerrno() : fd;
	}
	for (int tries = 0;; tries++) {
		uint32_t rnd;
		int fd;

		if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
			rnd = (uint32_t)getpid() ^ (uint32_t)tries;
		if ((size_t)snprintf(tmp, size, ".%s.nslab-%08x", name, rnd) >= size)
			return -ENAMETOOLONG;
		fd = openat(dirfd, tmp, oflags, mode);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST || tries > 16)
			return negerrno();
	}
}

int nsli_write_atomic(int dirfd, const char *name, const struct iovec *iov, int n, mode_t mode,
		     unsigned flags)
{
	_cleanup_close_ int fd = -1;
	char tmp[NAME_MAX + 1];
	int r;

	fd = tmp_open(dirfd, name, mode, flags, tmp, sizeof(tmp));
	if (fd < 0)
		return fd;
	/* The mode asked for, not what the umask leaves of it. */
	r = fchmod(fd, mode) < 0 ? negerrno() : 0;
	if (r == 0)
		r = nsli_write_all(fd, iov, n);
	if (r == 0 && (flags & NSL_WRITE_SYNC) && fsync(fd) < 0)
		r = negerrno();
	if (r == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		r = negerrno();
	if (r < 0) {
		(void)unlinkat(dirfd, tmp, 0);
		return r;
	}
	/* The rename is durable once the directory is; the file is in place either way. */
	if (flags & NSL_WRITE_SYNC)
		(void)fsync(dirfd);
	return 0;
}
