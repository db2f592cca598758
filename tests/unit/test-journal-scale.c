// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading a big lab's journal is linear in its size: a 5,000-node lab has some 30,000 records
 * and up, plan, status and down read the journal several times each (a removal more). Each
 * record used to be checked with sscanf() on the unterminated rest of the file, whose strlen()
 * made every read quadratic. No kernel, no privilege.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../topo/journal.h"
#include "tap.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	enum { N = 200000 };
	char dir[] = "/tmp/nslab-journal-scale.XXXXXX", rec[64];
	struct jstate js = { 0 }, big = { 0 };
	char *buf = NULL;
	size_t len = 0;
	double t0, secs;
	int dfd, r;

	if (!mkdtemp(dir) || (dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		ok(0, "temporary directory: %s", strerror(errno));
		return tap_done();
	}
	/* 200,000 live records, as a committed journal: rendered, not appended one by one (each
	 * append is an fdatasync). */
	big.v = calloc(N, sizeof(*big.v));
	for (size_t i = 0; big.v && i < N; i++) {
		snprintf(rec, sizeof(rec), "file n%zu hosts %016zx", i, i * 2654435761u);
		big.v[i].line = strdup(rec);
		big.n++;
	}
	snprintf(rec, sizeof(rec), "commit %d 00000000", N);
	r = big.v ? nsli_journal_render("scale", &big, rec, &buf, &len) : -ENOMEM;
	ok(r == 0 && nsli_state_write(dfd, "journal", buf, len, NULL) == 0, "a journal of %d records (%zu bytes)", N,
	   len);
	t0 = now_s();
	r = nsli_journal_read(dfd, "scale", &js);
	secs = now_s() - t0;
	ok(r == 0 && js.exists && js.n == N && js.committed && !js.corrupt, "read back: %zu live records, committed",
	   js.n);
	/* Linear: some 50 ms here. Quadratic, the same read scanned ~1 TB and took minutes. */
	ok(secs < 5.0, "read in %.3f s (linear in the journal's size)", secs);
	ok(js.n == N && !strcmp(js.v[N - 1].line, big.v[N - 1].line), "the last record is the last one written");
	nsli_jstate_free(&js);

	/* A checksum is 8 lower-case hex digits: an upper-case one does not verify. */
	buf[strlen("nslab-journal 2 scale\n")] = 'A';
	r = nsli_state_write(dfd, "journal", buf, len, NULL);
	if (r == 0)
		r = nsli_journal_read(dfd, "scale", &js);
	ok(r == 0 && js.corrupt && js.n == N - 1 && js.bad_line == 2,
	   "an upper-case checksum digit is a bad record (line %u, %zu kept)", js.bad_line, js.n);
	nsli_jstate_free(&js);
	nsli_jstate_free(&big);
	free(buf);
	unlinkat(dfd, "journal", 0);
	close(dfd);
	rmdir(dir);
	return tap_done();
}
