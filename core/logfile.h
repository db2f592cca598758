/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Timestamped, size-capped log files: NAME.log in a directory, rotated to NAME.log.1 when it
 * would pass NSLI_LOG_MAX, so at least the last NSLI_LOG_MAX bytes of output are always kept.
 * Every line starts with an RFC 3339 UTC timestamp with milliseconds and a space:
 *	2026-12-01T23:59:59.123Z hello
 * libc only (no libnl, no nsl_err): shared by the library (exec and ready output, `nslab logs`)
 * and nslab-supervise, which links this object alone. Internal: not part of the public API.
 */
#ifndef NSL_CORE_LOGFILE_H
#define NSL_CORE_LOGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#define NSLI_LOG_MAX (1 << 20)
/* "2026-12-01T23:59:59.123Z ": the prefix of every line. */
#define NSLI_LOG_STAMP_LEN 25
/* Longest NAME: NAME.log.1 must fit in NAME_MAX. */
#define NSLI_LOG_NAME_MAX 200

struct nsli_logfile {
	int dirfd;     /* a duplicate of the directory fd given to open, owned */
	int fd;	       /* NAME.log, O_APPEND */
	char *name;    /* NAME, without ".log" */
	size_t size;   /* bytes in NAME.log */
	bool midline;  /* the last byte fed was not a newline: no stamp before the next one */
};

/**
 * nsli_logfile_name_ok - whether @name can name a log: 1 to NSLI_LOG_NAME_MAX bytes, no '/',
 * no NUL, not starting with '.'.
 */
bool nsli_logfile_name_ok(const char *name);

/**
 * nsli_logfile_open - open (create, mode 0640, or append to) @dirfd/@name.log for writing.
 * @dirfd: the log directory; duplicated, so the caller may close its own fd.
 * @name: the log's name without ".log" (nsli_logfile_name_ok()).
 * @ret: filled on success; untouched on failure. Release with nsli_logfile_close().
 * The file is opened O_NOFOLLOW and O_CLOEXEC. Output appended after a line that was left
 * unfinished (a crash) starts a new line.
 * Return: 0, or -EINVAL (bad name), -ENOMEM, or the negative errno of openat/fstat.
 */
int nsli_logfile_open(int dirfd, const char *name, struct nsli_logfile *ret);

/**
 * nsli_logfile_feed - append @n bytes of output at @buf, which may end in the middle of a
 * line: the rest of that line comes with the next feed, under the same stamp. Each line
 * started in this call is stamped with the current time (one clock read per call).
 * Rotates first when the write would make NAME.log pass NSLI_LOG_MAX (an unfinished line
 * is then ended with a newline in NAME.log.1, and its rest stamped again in NAME.log).
 * Return: 0, or the negative errno of write/renameat/openat (-ENOSPC ...); after a failed
 * write the log stays usable, and what could not be written is lost.
 */
int nsli_logfile_feed(struct nsli_logfile *l, const char *buf, size_t n);

/**
 * nsli_logfile_printf - feed one formatted line (a newline is added when missing); for a
 * program's own messages. Return: as nsli_logfile_feed(), or -ENOMEM.
 */
int nsli_logfile_printf(struct nsli_logfile *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * nsli_logfile_close - close @l (NULL or never opened: nothing); an unfinished last line
 * stays as it is. @l may be opened again after.
 */
void nsli_logfile_close(struct nsli_logfile *l);

/**
 * nsli_logfile_tail - the last @lines lines of the log @name in @dirfd, over NAME.log.1 then
 * NAME.log (0: everything kept), as one NUL-terminated string in *@ret (free() it). Each
 * line ends with a newline, the last one included. Without locking: a rotation between the
 * two reads may lose or repeat lines, which only matters while the log is being written.
 * Return: 0, or -EINVAL (bad name), -ENOENT (neither file exists), -ENOMEM, or the negative
 * errno of openat/read.
 */
int nsli_logfile_tail(int dirfd, const char *name, size_t lines, char **ret);

/**
 * nsli_logfile_stamp - write the prefix for time @ts (CLOCK_REALTIME) into @buf:
 * NSLI_LOG_STAMP_LEN characters ("2026-12-01T23:59:59.123Z ") and a NUL.
 */
void nsli_logfile_stamp(const struct timespec *ts, char buf[NSLI_LOG_STAMP_LEN + 1]);

#endif
