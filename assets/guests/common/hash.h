/* Hashes shared by the kernel and user programs: CRC-32 (IEEE 802.3 / zlib), SHA-256 (FIPS 180-4)
 * and HMAC-SHA256 (RFC 2104). */
#ifndef LAB_HASH_H
#define LAB_HASH_H
#include "lib.h"

uint32_t crc32(const void *data, uint32_t len);
uint32_t crc32_update(uint32_t crc, const void *data, uint32_t len); /* crc starts at 0 */
struct sha256 {
  uint32_t h[8];
  uint8_t buf[64];
  uint64_t len;
};
void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, uint32_t len);
void sha256_final(struct sha256 *s, uint8_t out[32]);
void sha256(const void *data, uint32_t len, uint8_t out[32]);
void hmac_sha256(const uint8_t *key, uint32_t klen, const void *msg, uint32_t mlen, uint8_t out[32]);
#endif
