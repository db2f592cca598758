// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target over the topology loader: nsl_topo_load() of arbitrary bytes (the strict
 * YAML reader, the model and the validation; no kernel call), then, for every accepted file,
 * nsl_topo_graph() in each format. Besides "no crash, no UB, no leak":
 *   - a refusal returns a negative errno equal to err.code, with a message;
 *   - loading the same bytes twice gives the same verdict and, when accepted, the same graph.
 * Build and run: tests/fuzz/run.sh [SECONDS]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nslab/topo.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz-topo: property failed: %s\n", #cond);                  \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static char *graph(const struct nsl_topo *t, enum nsl_topo_graph_format f)
{
	struct nsl_err err;
	char *out = NULL;
	int r;

	memset(&err, 0, sizeof(err));
	r = nsl_topo_graph(t, f, &out, &err);
	CHECK(r >= 0 || (r == err.code && err.msg[0]));
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nsl_topo *t = NULL, *t2 = NULL;
	struct nsl_err err, err2;
	char *copy = malloc(size ? size : 1);
	int r, r2;

	if (!copy)
		return 0;
	/* An exact-size heap copy, not NUL-terminated: the loader must honour @len. */
	memcpy(copy, data, size);
	memset(&err, 0, sizeof(err));
	r = nsl_topo_load("fuzz.yaml", copy, size, &t, &err);
	if (r < 0) {
		CHECK(!t);
		CHECK(err.code == r);
		CHECK(memchr(err.msg, '\0', sizeof(err.msg)) && err.msg[0]);
	} else {
		CHECK(t);
		for (int f = NSL_TOPO_GRAPH_DOT; f <= NSL_TOPO_GRAPH_JSON; f++) {
			char *a = graph(t, (enum nsl_topo_graph_format)f);

			free(a);
		}
	}
	memset(&err2, 0, sizeof(err2));
	r2 = nsl_topo_load("fuzz.yaml", copy, size, &t2, &err2);
	CHECK(r2 == r);
	if (r < 0) {
		CHECK(err2.line == err.line && err2.column == err.column && !strcmp(err2.msg, err.msg));
	} else {
		char *a = graph(t, NSL_TOPO_GRAPH_JSON), *b = graph(t2, NSL_TOPO_GRAPH_JSON);

		CHECK((!a && !b) || (a && b && !strcmp(a, b)));
		free(a);
		free(b);
	}
	nsl_topo_free(t);
	nsl_topo_free(t2);
	free(copy);
	return 0;
}
