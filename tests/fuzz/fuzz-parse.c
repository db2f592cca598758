// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target over the strict parsers of include/nslab/parse.h.
 * Input: one mode byte, then the text handed to the parser (as a fresh NUL-terminated heap
 * copy, so ASan sees any read past its end). Besides "no crash, no UB, no leak", each
 * accepted input must satisfy the parser's contract:
 *   ifname  the kernel's dev_valid_name() accepts it (net/core/dev.c)
 *   nsname  [A-Za-z0-9_.-], 1..64 bytes, not "." or "..", no leading '-'
 *   addr, cidr, route_prefix
 *           re-rendered with nsl_prefix_str() it parses back to the same bytes, and the
 *           rendering is a fixed point; a route prefix has no host bits
 *   mac     unicast, not zero, and "%02x:..." parses back to the same bytes
 *   mtu     68..65535; rate > 0
 * Every refusal returns a negative errno equal to err.code with a non-empty message.
 * Build and run: tests/fuzz/run.sh [SECONDS]
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nslab/parse.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz-parse: property failed: %s (mode %d, input \"%s\")\n", \
				#cond, mode, s);                                                   \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

enum { M_IFNAME, M_NSNAME, M_ADDR, M_CIDR, M_ROUTE, M_MAC, M_MTU, M_RATE, M_LABNAME, M_U32, M_BOOL, M_MAX };

/* The kernel's isspace(): its _ctype table also counts 0xa0 (Latin-1 NBSP) as space. */
static int kernel_isspace(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0;
}

/* net/core/dev.c dev_valid_name() */
static int dev_valid_name(const char *name)
{
	if (*name == '\0')
		return 0;
	if (strnlen(name, 16) == 16)
		return 0;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return 0;
	for (; *name; name++)
		if (*name == '/' || *name == ':' || kernel_isspace((unsigned char)*name))
			return 0;
	return 1;
}

static int nsname_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 64 || !strcmp(s, ".") || !strcmp(s, "..") || s[0] == '-')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '.' || *s == '-'))
			return 0;
	return 1;
}

static int same_prefix(const struct nsl_prefix *a, const struct nsl_prefix *b)
{
	unsigned n = a->family == AF_INET ? 4 : 16;

	return a->family == b->family && a->len == b->len && !memcmp(a->addr, b->addr, n);
}

static int mode;
static const char *s;

static void check_refusal(int r, const struct nsl_err *err)
{
	CHECK(r < 0);
	CHECK(err->code == r);
	CHECK(err->kind == NSL_E_USAGE);
	CHECK(memchr(err->msg, '\0', sizeof(err->msg)) && err->msg[0]);
}

/* Render @p, parse it back with @reparse's rules and compare. */
static void roundtrip(const struct nsl_prefix *p, int kind)
{
	char a[64], b[64];
	struct nsl_prefix q;
	int r;

	CHECK(p->family == AF_INET || p->family == AF_INET6);
	CHECK(p->len <= (p->family == AF_INET ? 32 : 128));
	nsl_prefix_str(p, kind != M_ADDR, a, sizeof(a));
	memset(&q, 0xa5, sizeof(q));
	if (kind == M_ADDR)
		r = nsl_parse_addr(a, &q, NULL);
	else if (kind == M_CIDR)
		r = nsl_parse_cidr(a, &q, NULL);
	else
		r = nsl_parse_route_prefix(a, p->family, &q, NULL);
	CHECK(r == 0);
	CHECK(same_prefix(p, &q));
	nsl_prefix_str(&q, kind != M_ADDR, b, sizeof(b));
	CHECK(!strcmp(a, b));
	if (kind == M_ROUTE) {
		struct nsl_prefix m = *p;

		nsl_prefix_mask(&m);
		CHECK(same_prefix(p, &m));
		CHECK(nsl_prefix_contains(p, p));
	}
}

static void one(const char *text, int m, int family)
{
	struct nsl_err err;
	struct nsl_prefix p;
	uint8_t mac[6];
	uint32_t u;
	uint64_t rate;
	bool bo;
	int r = 0;

	mode = m;
	s = text;
	memset(&err, 0, sizeof(err));
	memset(&p, 0, sizeof(p));
	switch (m) {
	case M_IFNAME:
		r = nsl_parse_ifname(text, &err);
		if (!r)
			CHECK(dev_valid_name(text));
		break;
	case M_NSNAME:
		r = nsl_parse_nsname(text, &err);
		if (!r)
			CHECK(nsname_ok(text));
		break;
	case M_LABNAME:
		r = nsl_parse_labname(text, &err);
		if (!r)
			CHECK(nsname_ok(text) && strlen(text) <= 12);
		break;
	case M_ADDR:
	case M_CIDR:
	case M_ROUTE:
		if (m == M_ADDR)
			r = nsl_parse_addr(text, &p, &err);
		else if (m == M_CIDR)
			r = nsl_parse_cidr(text, &p, &err);
		else
			r = nsl_parse_route_prefix(text, family, &p, &err);
		if (!r)
			roundtrip(&p, m);
		break;
	case M_MAC:
		r = nsl_parse_mac(text, mac, &err);
		if (!r) {
			char buf[18];

			CHECK(!(mac[0] & 1));
			CHECK(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]);
			snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
				 mac[4], mac[5]);
			CHECK(!strcasecmp(buf, text));
		}
		break;
	case M_MTU:
		r = nsl_parse_mtu(text, &u, &err);
		if (!r)
			CHECK(u >= 68 && u <= 65535);
		break;
	case M_RATE:
		r = nsl_parse_rate(text, &rate, &err);
		if (!r)
			CHECK(rate > 0);
		break;
	case M_U32:
		r = nsl_parse_u32(text, 10, 4000000000u, "number", &u, &err);
		if (!r)
			CHECK(u >= 10 && u <= 4000000000u && (text[0] != '0'));
		break;
	case M_BOOL:
		r = nsl_parse_bool(text, &bo, &err);
		break;
	}
	if (r)
		check_refusal(r, &err);
	/* The same call without an error struct must give the same verdict. */
	switch (m) {
	case M_IFNAME:
		CHECK(nsl_parse_ifname(text, NULL) == r);
		break;
	case M_CIDR:
		CHECK(nsl_parse_cidr(text, &p, NULL) == r);
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int families[] = { 0, AF_INET, AF_INET6 };
	char *text;

	if (size < 1)
		return 0;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	one(text, data[0] % M_MAX, families[(data[0] / M_MAX) % 3]);
	free(text);
	return 0;
}
