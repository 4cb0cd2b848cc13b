/* CRC-32 as in IEEE 802.3 / zlib / PNG (reflected polynomial 0xEDB88320, initial value and final
 * XOR 0xFFFFFFFF), so that crc32("123456789") = 0xCBF43926. Used by the file system. */
#include "hash.h"

uint32_t crc32_update(uint32_t crc, const void *data, uint32_t len) {
  const uint8_t *p = (const uint8_t *)data;
  crc = ~crc;
  while (len--) {
    crc ^= *p++;
    for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
  }
  return ~crc;
}

uint32_t crc32(const void *data, uint32_t len) { return crc32_update(0, data, len); }
