/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Strict parsers and validators. None of them touches the kernel; all of them reject rather
 * than guess (no leading zeros, no silent truncation, no host bits in a route prefix).
 * Each returns 0 or a negative errno (-EINVAL, -ERANGE) and fills @err (NULL allowed) with
 * kind NSL_E_USAGE and a one-line message naming what is wrong. Output parameters are
 * written only on success.
 */
#ifndef NSLAB_PARSE_H
#define NSLAB_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NSL_IFNAMSIZ 16     /* kernel IFNAMSIZ, including the NUL */
#define NSL_NSNAME_MAX 64   /* netns and node names, bytes */
#define NSL_ALTNAME_MAX 127 /* kernel ALTIFNAMSIZ - 1 */

/**
 * struct nsl_prefix - an IPv4 or IPv6 address with a prefix length.
 * @family: AF_INET or AF_INET6
 * @len:    prefix length (32/128 when the text had none)
 * @addr:   address bytes in network order (4 or 16 used)
 */
struct nsl_prefix {
	int family;
	uint8_t len;
	uint8_t addr[16];
};

/** Interface name: 1..15 bytes, none of '/', ':', '%', whitespace; not ".", "..", "all", "default". */
int nsl_parse_ifname(const char *s, struct nsl_err *err);
/** Netns, node and lab names: [A-Za-z0-9_.-], 1..64 bytes, not "." or "..", no leading '-'. */
int nsl_parse_nsname(const char *s, struct nsl_err *err);
/** Interface alias (IFLA_IFALIAS): at most 255 bytes, no control characters (no newline). */
int nsl_parse_alias(const char *s, struct nsl_err *err);
/** Lab names: [a-z0-9-], 1..12 bytes, no leading '-'. */
int nsl_parse_labname(const char *s, struct nsl_err *err);

/** An address without a prefix ("10.0.0.1", "fd00::1"); @ret->len is the full length. */
int nsl_parse_addr(const char *s, struct nsl_prefix *ret, struct nsl_err *err);
/**
 * An interface address "ADDR/LEN" (LEN optional: full length). Host bits are allowed.
 * Rejects the network and broadcast address of an IPv4 prefix shorter than /31.
 */
int nsl_parse_cidr(const char *s, struct nsl_prefix *ret, struct nsl_err *err);
/** A route destination "ADDR/LEN" or "default" (v4 0/0, unless @family says AF_INET6); no host bits. */
int nsl_parse_route_prefix(const char *s, int family, struct nsl_prefix *ret, struct nsl_err *err);
/** A unicast MAC "aa:bb:cc:dd:ee:ff": not multicast, not all-zero. */
int nsl_parse_mac(const char *s, uint8_t ret[6], struct nsl_err *err);
/** An MTU: decimal 68..65535. */
int nsl_parse_mtu(const char *s, uint32_t *ret, struct nsl_err *err);
/** A decimal unsigned number within [min, max]; @what names it in the message. */
int nsl_parse_u32(const char *s, uint32_t min, uint32_t max, const char *what, uint32_t *ret,
		  struct nsl_err *err);
/** "on"/"off" (also "true"/"false", "1"/"0"). */
int nsl_parse_bool(const char *s, bool *ret, struct nsl_err *err);
/** A rate "100mbit", "1gbit", "512kbit", "1000bit", "10mbps" (bytes/s); result in bytes/s. */
int nsl_parse_rate(const char *s, uint64_t *ret, struct nsl_err *err);

/**
 * nsl_str_escape - @s made safe for a one-line message into @buf (@size bytes, always
 * NUL-terminated, cut at a whole character when it does not fit): newline, tab and CR
 * become \n \t \r; other control bytes, DEL, C1 controls and bytes that are not valid
 * UTF-8 become \xHH; valid UTF-8 stays as it is. A backslash is kept, so escaping twice
 * changes nothing. @s NULL counts as "". Return: @buf.
 */
const char *nsl_str_escape(const char *s, char *buf, unsigned long size);

/** Render @p as "ADDR/LEN" (or "ADDR" when @with_len is false) into @buf (>= 64 bytes). */
const char *nsl_prefix_str(const struct nsl_prefix *p, bool with_len, char *buf, unsigned long size);
/** True when @a lies in the network @net/@net->len (same family). */
bool nsl_prefix_contains(const struct nsl_prefix *net, const struct nsl_prefix *a);
/** Clear host bits of @p in place. */
void nsl_prefix_mask(struct nsl_prefix *p);

#ifdef __cplusplus
}
#endif
#endif
