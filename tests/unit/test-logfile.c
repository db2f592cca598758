// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * core/logfile.c: stamps, partial lines across feeds, rotation at NSLI_LOG_MAX, tail over
 * NAME.log.1 + NAME.log. In a temporary directory; no privilege needed.
 */
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "logfile.h"
#include "tap.h"

static char dir[] = "/tmp/nslab-test-logfile.XXXXXX";
static int dfd = -1;

static char *slurp(const char *name, size_t *ret_len)
{
	char path[512], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (ret_len)
		*ret_len = (size_t)n;
	return buf;
}

static off_t size_of(const char *name)
{
	struct stat st;

	return fstatat(dfd, name, &st, 0) < 0 ? -1 : st.st_size;
}

/* Whether every line of @text is "STAMP something". */
static bool all_stamped(const char *text)
{
	regex_t re;
	bool good = true;

	regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z ",
		REG_EXTENDED | REG_NOSUB);
	for (const char *l = text; *l && good;) {
		const char *nl = strchr(l, '\n');

		good = regexec(&re, l, 0, NULL, 0) == 0;
		l = nl ? nl + 1 : l + strlen(l);
	}
	regfree(&re);
	return good;
}

static void test_stamp(void)
{
	char buf[NSLI_LOG_STAMP_LEN + 1];
	struct timespec ts = { .tv_sec = 1796169599, .tv_nsec = 123456789 };

	nsli_logfile_stamp(&ts, buf);
	ok(!strcmp(buf, "2026-12-01T23:59:59.123Z "), "stamp: %s", buf);
	ts = (struct timespec){ .tv_sec = 0, .tv_nsec = 5000000 };
	nsli_logfile_stamp(&ts, buf);
	ok(!strcmp(buf, "1970-01-01T00:00:00.005Z "), "stamp at the epoch: %s", buf);
	ok(strlen(buf) == NSLI_LOG_STAMP_LEN, "stamp length %zu", strlen(buf));
}

static void test_names(void)
{
	struct nsli_logfile l;

	ok(nsli_logfile_name_ok("frr") && nsli_logfile_name_ok("a.b-c"), "good names");
	ok(!nsli_logfile_name_ok("") && !nsli_logfile_name_ok("../x") && !nsli_logfile_name_ok(".x") &&
		   !nsli_logfile_name_ok("a/b") && !nsli_logfile_name_ok(NULL),
	   "bad names refused");
	ok(nsli_logfile_open(dfd, "../evil", &l) == -EINVAL, "open of a bad name: -EINVAL");
}

static void test_partial(void)
{
	struct nsli_logfile l;
	char *text, *p;
	int r;

	r = nsli_logfile_open(dfd, "part", &l);
	ok(r == 0, "open: %d", r);
	nsli_logfile_feed(&l, "one\ntw", 6);
	nsli_logfile_feed(&l, "o\nthr", 5);
	nsli_logfile_feed(&l, "ee", 2);
	nsli_logfile_feed(&l, "\n\nfour\n", 7);
	nsli_logfile_printf(&l, "five %d", 5);
	nsli_logfile_close(&l);
	text = slurp("part.log", NULL);
	ok(text && all_stamped(text), "every line stamped:\n%s", text ? text : "(none)");
	/* Without the stamps: the lines as fed. */
	for (p = text; p && *p; p = strchr(p, '\n') + 1)
		memmove(p, p + NSLI_LOG_STAMP_LEN, strlen(p + NSLI_LOG_STAMP_LEN) + 1);
	ok(text && !strcmp(text, "one\ntwo\nthree\n\nfour\nfive 5\n"), "lines joined across feeds");
	free(text);

	/* Reopened after a writer died mid-line: ours starts on a new line. */
	nsli_logfile_open(dfd, "part", &l);
	nsli_logfile_feed(&l, "unfinished", 10);
	nsli_logfile_close(&l);
	nsli_logfile_open(dfd, "part", &l);
	nsli_logfile_feed(&l, "next\n", 5);
	nsli_logfile_close(&l);
	text = slurp("part.log", NULL);
	ok(text && strstr(text, "unfinished\n") && all_stamped(text), "a reopened log starts a line:\n%s", text ? text : "");
	free(text);
	nsli_logfile_close(NULL);
}

static void test_rotation(void)
{
	struct nsli_logfile l;
	char line[1001], *t1, *t0;
	size_t fed = 0, len1 = 0, len0 = 0;
	int r = 0;

	memset(line, 'x', 999);
	line[999] = '\n';
	line[1000] = '\0';
	nsli_logfile_open(dfd, "rot", &l);
	/* 1.5 MiB of output: one rotation. */
	while (fed < NSLI_LOG_MAX + NSLI_LOG_MAX / 2 && r == 0) {
		r = nsli_logfile_feed(&l, line, 1000);
		fed += 1000;
	}
	ok(r == 0, "feeds: %d", r);
	ok(size_of("rot.log.1") > 0 && size_of("rot.log.1") <= NSLI_LOG_MAX, "rot.log.1: %lld bytes",
	   (long long)size_of("rot.log.1"));
	ok(size_of("rot.log") > 0 && size_of("rot.log") <= NSLI_LOG_MAX, "rot.log: %lld bytes",
	   (long long)size_of("rot.log"));
	ok(size_of("rot.log.1") + size_of("rot.log") >= NSLI_LOG_MAX, "at least 1 MiB kept");
	ok(l.size == (size_t)size_of("rot.log"), "size tracked: %zu", l.size);

	/* A 200 KiB line without a newline, fed in one piece, then ended. */
	{
		size_t big = 200 * 1024;
		char *b = malloc(big);

		memset(b, 'y', big);
		for (int i = 0; i < 6; i++)
			nsli_logfile_feed(&l, b, big);
		nsli_logfile_feed(&l, "\nlast\n", 6);
		free(b);
	}
	ok(size_of("rot.log") <= NSLI_LOG_MAX && size_of("rot.log.1") <= NSLI_LOG_MAX,
	   "long lines: both files within 1 MiB (%lld, %lld)", (long long)size_of("rot.log.1"),
	   (long long)size_of("rot.log"));
	nsli_logfile_close(&l);
	t1 = slurp("rot.log.1", &len1);
	t0 = slurp("rot.log", &len0);
	ok(t1 && t0 && all_stamped(t1) && all_stamped(t0), "both files: every line stamped");
	ok(len1 && t1[len1 - 1] == '\n', "rot.log.1 ends with a newline");
	ok(len0 > 5 && !strcmp(t0 + len0 - 5, "last\n"), "rot.log ends with the last line");
	free(t1);
	free(t0);
}

static void test_tail(void)
{
	struct nsli_logfile l;
	char *t = NULL, *p;
	int r, n = 0;

	ok(nsli_logfile_tail(dfd, "none", 10, &t) == -ENOENT, "tail of a missing log: -ENOENT");
	ok(nsli_logfile_tail(dfd, "a/b", 10, &t) == -EINVAL, "tail of a bad name: -EINVAL");
	nsli_logfile_open(dfd, "tail", &l);
	nsli_logfile_feed(&l, "a\nb\nc", 5);
	nsli_logfile_close(&l);
	r = nsli_logfile_tail(dfd, "tail", 2, &t);
	ok(r == 0 && t && strstr(t, " b\n") && strstr(t, " c\n") && !strstr(t, " a\n"),
	   "last 2 lines, the unfinished one ended: %s", t ? t : "(null)");
	free(t);
	r = nsli_logfile_tail(dfd, "tail", 0, &t);
	ok(r == 0 && t && strstr(t, " a\n") && strstr(t, " c\n"), "0: everything");
	free(t);
	r = nsli_logfile_tail(dfd, "tail", 100, &t);
	ok(r == 0 && t && strstr(t, " a\n"), "more lines than there are: all");
	free(t);

	/* Over the rotation: the last 3 lines are 1 in .1 and 2 in .log. */
	{
		int fd = openat(dfd, "span.log.1", O_WRONLY | O_CREAT, 0644);

		dprintf(fd, "old1\nold2\nold3");
		close(fd);
		fd = openat(dfd, "span.log", O_WRONLY | O_CREAT, 0644);
		dprintf(fd, "new1\nnew2\n");
		close(fd);
	}
	r = nsli_logfile_tail(dfd, "span", 3, &t);
	ok(r == 0 && t && !strcmp(t, "old3\nnew1\nnew2\n"), "tail across .1 and .log: %s", t ? t : "");
	free(t);
	r = nsli_logfile_tail(dfd, "span", 2, &t);
	ok(r == 0 && t && !strcmp(t, "new1\nnew2\n"), "tail within .log: %s", t ? t : "");
	free(t);
	unlinkat(dfd, "span.log", 0);
	r = nsli_logfile_tail(dfd, "span", 0, &t);
	ok(r == 0 && t && !strcmp(t, "old1\nold2\nold3\n"), "only .1 left: %s", t ? t : "");
	for (p = t; p && (p = strchr(p, '\n')); p++)
		n++;
	ok(n == 3, "3 lines");
	free(t);
}

int main(void)
{
	char cmd[600];

	if (!mkdtemp(dir)) {
		skip("mkdtemp in /tmp failed");
		return tap_done();
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	test_stamp();
	test_names();
	test_partial();
	test_rotation();
	test_tail();
	close(dfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return tap_done();
}
