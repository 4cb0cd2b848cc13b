/* labfs on-disk format (documented byte by byte in FS.md; keep the two in step: a test checks the
 * magic). Little-endian, 4 KiB blocks: block 0 superblock, block 1 directory of 64 entries of
 * 64 bytes, blocks 2.. file data, each file one contiguous extent. */
#ifndef LABOS_FS_H
#define LABOS_FS_H
#include "lib.h"

#define LABFS_MAGIC 0x5346424Cu /* bytes "LBFS" */
#define LABFS_VERSION 1
#define LABFS_BLOCK 4096
#define LABFS_DIR_START 1
#define LABFS_DIR_BLOCKS 1
#define LABFS_DATA_START 2
#define LABFS_ENTRIES 64
#define LABFS_MAX_FILE 65536

struct labfs_super {
  uint32_t magic, version, block_size, total_blocks;
  uint32_t dir_start, dir_blocks, data_start, max_entries;
  char label[16];
};
#define LABFS_SUPER_CRC_OFF 4092 /* crc32 of bytes [0, 4092) */

struct labfs_entry {
  char name[40]; /* NUL-padded, 1..39 characters of [A-Za-z0-9._-] */
  uint32_t flags; /* bit 0: in use */
  uint32_t size, start, nblocks, data_crc, entry_crc; /* entry_crc: crc32 of bytes [0, 60) */
};
#endif
