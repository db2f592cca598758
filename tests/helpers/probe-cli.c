// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Test driver for include/nslab/probe.h.
 * Usage: probe-cli [-t TIMEOUT_MS] [-m] NETNS ADDR [NETNS ADDR...]
 * NETNS "-" is the caller's own netns. One pair without -m uses nsl_probe_ping(); otherwise
 * nsl_probe_ping_many(). Prints "NETNS ADDR ok RTT_US" or "NETNS ADDR fail ERRNO_NAME" per
 * probe, then "elapsed_ms N" to stderr. Exit 0: all answered; 1: some did not; 2: usage or
 * a failure of the whole run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nslab/ctx.h"
#include "nslab/parse.h"
#include "nslab/probe.h"

static long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static const char *ename(int e)
{
	const char *s = strerrorname_np(e);

	return s ? s : "?";
}

int main(int argc, char **argv)
{
	struct nsl_ctx *ctx = NULL;
	struct nsl_err err = { 0 };
	struct nsl_probe *p;
	unsigned timeout = 1000;
	bool many = false;
	size_t n;
	long t0;
	int opt, r, rc = 0;

	while ((opt = getopt(argc, argv, "t:m")) != -1) {
		if (opt == 't')
			timeout = (unsigned)strtoul(optarg, NULL, 10);
		else if (opt == 'm')
			many = true;
		else
			return 2;
	}
	argc -= optind;
	argv += optind;
	if (argc < 2 || argc % 2) {
		fprintf(stderr, "usage: probe-cli [-t MS] [-m] NETNS ADDR [NETNS ADDR...]\n");
		return 2;
	}
	n = (size_t)argc / 2;
	p = calloc(n, sizeof(*p));
	if (!p || nsl_ctx_new(&ctx, &err) < 0) {
		fprintf(stderr, "probe-cli: %s\n", err.msg);
		return 2;
	}
	for (size_t i = 0; i < n; i++) {
		p[i].netns = strcmp(argv[2 * i], "-") ? argv[2 * i] : NULL;
		if (nsl_parse_addr(argv[2 * i + 1], &p[i].dst, &err) < 0) {
			fprintf(stderr, "probe-cli: %s: %s\n", argv[2 * i + 1], err.msg);
			return 2;
		}
	}
	t0 = ms_now();
	if (n == 1 && !many) {
		r = nsl_probe_ping(ctx, p[0].netns, &p[0].dst, timeout, &p[0].rtt_us, &err);
		p[0].result = r;
		if (r < 0)
			fprintf(stderr, "probe-cli: %s: %s\n", err.object, err.msg);
	} else {
		r = nsl_probe_ping_many(ctx, p, n, timeout, &err);
		if (r < 0) {
			fprintf(stderr, "probe-cli: %s\n", err.msg);
			return 2;
		}
	}
	fprintf(stderr, "elapsed_ms %ld\n", ms_now() - t0);
	for (size_t i = 0; i < n; i++) {
		if (p[i].result == 0) {
			printf("%s %s ok %u\n", argv[2 * i], argv[2 * i + 1], p[i].rtt_us);
		} else {
			printf("%s %s fail %s\n", argv[2 * i], argv[2 * i + 1], ename(-p[i].result));
			rc = 1;
		}
	}
	nsl_ctx_free(ctx);
	free(p);
	return rc;
}
