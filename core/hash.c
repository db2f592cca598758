// SPDX-License-Identifier: LGPL-2.1-or-later
/* One hash for every derived name, MAC and signature. */
#include "core.h"

uint64_t nsli_hash64(const char *domain, const char *s, unsigned salt)
{
	/* FNV-1a 64 over @domain (so that names, MACs and signatures never share a hash) and
	 * @s, then the splitmix64 finaliser, which spreads FNV's weak low bits over the word. */
	uint64_t h = 0xcbf29ce484222325ULL;

	for (const char *p = domain ? domain : ""; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ULL;
	for (const char *p = s; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ULL;
	h = (h ^ salt) * 0x100000001b3ULL;
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32()), bit by bit: journal records are short. */
uint32_t nsli_crc32(uint32_t crc, const void *data, size_t n)
{
	const uint8_t *p = data;

	crc = ~crc;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}
