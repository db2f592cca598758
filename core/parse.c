// SPDX-License-Identifier: LGPL-2.1-or-later
#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <stdbool.h>

#include "utf8.h"
#include "nslab/parse.h"
#include "macro.h"

static int bad(struct nsl_err *err, const char *s, const char *what)
{
	return nsl_err_set(err, NSL_E_USAGE, -EINVAL, s, "%s", what);
}

_public_ int nsl_parse_ifname(const char *s, struct nsl_err *err)
{
	size_t n = strlen(s);

	if (n == 0)
		return bad(err, s, "empty interface name");
	if (n >= NSL_IFNAMSIZ)
		return bad(err, s, "name longer than 15 bytes");
	if (STREQ(s, ".") || STREQ(s, "..") || STREQ(s, "all") || STREQ(s, "default"))
		return bad(err, s, "reserved interface name");
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		/* The kernel's isspace() (lib/ctype.c, Latin-1) also counts 0xa0 as a space. */
		if (c == '/' || c == ':' || c == '%' || isspace(c) || c < 0x20 || c == 0x7f || c == 0xa0)
			return bad(err, s, "interface name contains '/', ':', '%', whitespace or a control character");
	}
	return 0;
}

_public_ int nsl_parse_alias(const char *s, struct nsl_err *err)
{
	if (strlen(s) > 255)
		return bad(err, s, "alias longer than 255 bytes");
	/* `ip link show` prints it raw: a newline would forge a line of its output. */
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return bad(err, s, "alias contains a newline or another control character");
	return 0;
}

static bool nsname_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '-';
}

_public_ int nsl_parse_nsname(const char *s, struct nsl_err *err)
{
	size_t n = strlen(s);

	if (n == 0)
		return bad(err, s, "empty name");
	if (n > NSL_NSNAME_MAX)
		return bad(err, s, "name longer than 64 bytes");
	if (STREQ(s, ".") || STREQ(s, ".."))
		return bad(err, s, "reserved name");
	if (s[0] == '-')
		return bad(err, s, "name starts with '-'");
	for (const char *p = s; *p; p++)
		if (!nsname_char((unsigned char)*p))
			return bad(err, s, "name may only contain A-Z a-z 0-9 _ . -");
	return 0;
}

_public_ int nsl_parse_labname(const char *s, struct nsl_err *err)
{
	size_t n = strlen(s);

	if (n == 0 || n > 12)
		return bad(err, s, "lab name must be 1 to 12 bytes");
	if (s[0] == '-')
		return bad(err, s, "lab name starts with '-'");
	for (const char *p = s; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-'))
			return bad(err, s, "lab name may only contain a-z 0-9 -");
	return 0;
}

/* Strict decimal: no sign, no leading zeros (except "0"), no trailing junk, no overflow. */
static int strict_u64(const char *s, size_t n, uint64_t max, uint64_t *ret)
{
	uint64_t v = 0;

	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

static int addr_only(const char *s, size_t n, struct nsl_prefix *p)
{
	char buf[INET6_ADDRSTRLEN + 1];

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(p, 0, sizeof(*p));
	/* glibc's inet_pton rejects octets with leading zeros and short forms like "1.2.3";
	 * inet_aton, which `ip` falls back to, would read "010" as octal. */
	if (inet_pton(AF_INET, buf, p->addr) == 1) {
		p->family = AF_INET;
		p->len = 32;
		return 0;
	}
	if (strchr(buf, ':') && inet_pton(AF_INET6, buf, p->addr) == 1) {
		p->family = AF_INET6;
		p->len = 128;
		return 0;
	}
	return -EINVAL;
}

_public_ int nsl_parse_addr(const char *s, struct nsl_prefix *ret, struct nsl_err *err)
{
	struct nsl_prefix p;

	if (addr_only(s, strlen(s), &p) < 0)
		return bad(err, s, "invalid IPv4 or IPv6 address");
	*ret = p;
	return 0;
}

static int prefix_split(const char *s, struct nsl_prefix *p, struct nsl_err *err)
{
	const char *slash = strchr(s, '/');
	uint64_t len;
	int r;

	if (addr_only(s, slash ? (size_t)(slash - s) : strlen(s), p) < 0)
		return bad(err, s, "invalid IPv4 or IPv6 address");
	if (!slash)
		return 0;
	r = strict_u64(slash + 1, strlen(slash + 1), p->family == AF_INET ? 32 : 128, &len);
	if (r == -ERANGE)
		return nsl_err_set(err, NSL_E_USAGE, -ERANGE, s, "prefix length out of range (max %d)",
				   p->family == AF_INET ? 32 : 128);
	if (r < 0)
		return bad(err, s, "invalid prefix length");
	p->len = (uint8_t)len;
	return 0;
}

static bool host_bits_set(const struct nsl_prefix *p)
{
	struct nsl_prefix m = *p;

	nsl_prefix_mask(&m);
	return memcmp(m.addr, p->addr, sizeof(m.addr)) != 0;
}

_public_ int nsl_parse_cidr(const char *s, struct nsl_prefix *ret, struct nsl_err *err)
{
	struct nsl_prefix p;
	int r = prefix_split(s, &p, err);

	if (r < 0)
		return r;
	if (p.family == AF_INET && p.len < 31) {
		uint32_t a, host = p.len ? (uint32_t)((1ULL << (32 - p.len)) - 1) : 0xffffffffu;

		memcpy(&a, p.addr, 4);
		a = ntohl(a);
		if ((a & host) == 0)
			return bad(err, s, "address is the network address of its prefix");
		if ((a & host) == host)
			return bad(err, s, "address is the broadcast address of its prefix");
	}
	*ret = p;
	return 0;
}

_public_ int nsl_parse_route_prefix(const char *s, int family, struct nsl_prefix *ret,
				    struct nsl_err *err)
{
	struct nsl_prefix p;
	int r;

	if (STREQ(s, "default")) {
		memset(&p, 0, sizeof(p));
		p.family = family == AF_INET6 ? AF_INET6 : AF_INET;
		*ret = p;
		return 0;
	}
	r = prefix_split(s, &p, err);
	if (r < 0)
		return r;
	if (host_bits_set(&p))
		return bad(err, s, "prefix has host bits set");
	*ret = p;
	return 0;
}

_public_ int nsl_parse_mac(const char *s, uint8_t ret[6], struct nsl_err *err)
{
	uint8_t m[6];

	if (strlen(s) != 17)
		return bad(err, s, "invalid MAC address (want aa:bb:cc:dd:ee:ff)");
	for (int i = 0; i < 6; i++) {
		const char *o = s + 3 * i;

		if (!isxdigit((unsigned char)o[0]) || !isxdigit((unsigned char)o[1]) ||
		    (i < 5 && o[2] != ':'))
			return bad(err, s, "invalid MAC address (want aa:bb:cc:dd:ee:ff)");
		m[i] = (uint8_t)strtoul((char[]){ o[0], o[1], 0 }, NULL, 16);
	}
	if (m[0] & 1)
		return bad(err, s, "MAC address is multicast");
	if (!(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]))
		return bad(err, s, "MAC address is all zeros");
	memcpy(ret, m, 6);
	return 0;
}

_public_ int nsl_parse_u32(const char *s, uint32_t min, uint32_t max, const char *what,
			   uint32_t *ret, struct nsl_err *err)
{
	uint64_t v;
	int r = strict_u64(s, strlen(s), UINT32_MAX, &v);

	if (r == -EINVAL)
		return nsl_err_set(err, NSL_E_USAGE, -EINVAL, s, "invalid %s (want a decimal number)", what);
	if (r < 0 || v < min || v > max)
		return nsl_err_set(err, NSL_E_USAGE, -ERANGE, s, "%s out of range (%u-%u)", what, min, max);
	*ret = (uint32_t)v;
	return 0;
}

_public_ int nsl_parse_mtu(const char *s, uint32_t *ret, struct nsl_err *err)
{
	return nsl_parse_u32(s, 68, 65535, "MTU", ret, err);
}

_public_ int nsl_parse_bool(const char *s, bool *ret, struct nsl_err *err)
{
	if (STREQ(s, "on") || STREQ(s, "true") || STREQ(s, "1"))
		*ret = true;
	else if (STREQ(s, "off") || STREQ(s, "false") || STREQ(s, "0"))
		*ret = false;
	else
		return bad(err, s, "want on or off");
	return 0;
}

_public_ int nsl_parse_rate(const char *s, uint64_t *ret, struct nsl_err *err)
{
	static const struct {
		const char *unit;
		uint64_t mul; /* bits per unit; "bps" units are bytes */
	} units[] = {
		{ "bit", 1 },	      { "kbit", 1000 },	     { "mbit", 1000000 },    { "gbit", 1000000000 },
		{ "bps", 8 },	      { "kbps", 8000 },	     { "mbps", 8000000 },    { "gbps", 8000000000ULL },
	};
	size_t n = strspn(s, "0123456789");
	uint64_t v;

	if (strict_u64(s, n, UINT32_MAX, &v) < 0 || v == 0)
		return bad(err, s, "invalid rate (want e.g. 100mbit)");
	for (size_t i = 0; i < ELEMENTSOF(units); i++)
		if (STREQ(s + n, units[i].unit)) {
			uint64_t bits = v * units[i].mul;

			if (bits < 8)
				return bad(err, s, "rate below 1 byte/s");
			*ret = bits / 8;
			return 0;
		}
	return bad(err, s, "invalid rate unit (bit, kbit, mbit, gbit, bps, kbps, mbps, gbps)");
}

_public_ const char *nsl_prefix_str(const struct nsl_prefix *p, bool with_len, char *buf,
				    unsigned long size)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(p->family, p->addr, a, sizeof(a));
	if (with_len)
		snprintf(buf, size, "%s/%u", a, p->len);
	else
		snprintf(buf, size, "%s", a);
	return buf;
}

_public_ void nsl_prefix_mask(struct nsl_prefix *p)
{
	unsigned bytes = p->family == AF_INET ? 4 : 16;

	for (unsigned i = 0; i < bytes; i++) {
		unsigned keep = p->len > i * 8 ? p->len - i * 8 : 0;

		if (keep < 8)
			p->addr[i] &= (uint8_t)(0xff00u >> keep);
	}
}

_public_ bool nsl_prefix_contains(const struct nsl_prefix *net, const struct nsl_prefix *a)
{
	struct nsl_prefix x = *a, n = *net;

	if (net->family != a->family)
		return false;
	x.len = n.len;
	nsl_prefix_mask(&x);
	nsl_prefix_mask(&n);
	return memcmp(x.addr, n.addr, sizeof(x.addr)) == 0;
}

size_t nsli_utf8_decode(const unsigned char *s, size_t left, uint32_t *ret_cp)
{
	size_t n;
	uint32_t cp;

	if (!left)
		return 0;
	if (s[0] < 0x80)
		n = 1, cp = s[0];
	else if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	if (ret_cp)
		*ret_cp = cp;
	return n;
}
