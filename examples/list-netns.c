// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A small client of libnslab: check an address with the library's parser, then list the
 * named network namespaces (those of `ip netns list`). Needs no privilege.
 *
 *   cc -o list-netns list-netns.c $(pkg-config --cflags --libs nslab)
 *   ./list-netns 10.0.0.1/24
 */
#include <stdio.h>
#include <stdlib.h>

#include <nslab/nslab.h>

int main(int argc, char **argv)
{
	struct nsl_err err = { 0 };
	struct nsl_ctx *ctx = NULL;
	struct nsl_netns_info *v = NULL;
	struct nsl_prefix p;
	char buf[64];
	size_t n = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CIDR\n", argv[0]);
		return 1;
	}
	if (nsl_parse_cidr(argv[1], &p, &err) < 0) {
		fprintf(stderr, "%s: %s\n", argv[1], err.msg);
		return 1;
	}
	printf("address %s\n", nsl_prefix_str(&p, true, buf, sizeof(buf)));
	if (nsl_ctx_new(&ctx, &err) < 0 || nsl_netns_list(ctx, &v, &n, &err) < 0) {
		fprintf(stderr, "nslab: %s\n", err.msg);
		nsl_ctx_free(ctx);
		return 2;
	}
	for (size_t i = 0; i < n; i++)
		printf("netns %s%s\n", v[i].name, v[i].stale ? " (stale)" : "");
	printf("%zu named netns\n", n);
	free(v);
	nsl_ctx_free(ctx);
	return 0;
}
