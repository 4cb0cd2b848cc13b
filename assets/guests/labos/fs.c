/* labfs: a small persistent flat file system on the virtio-blk disk (format in fs.h and FS.md).
 * Writes are copy-on-write: new data goes to a free extent, then the directory block is
 * rewritten, so a file is either its old or its new version. Every file carries a CRC-32 of its
 * data and every directory entry a CRC-32 of itself; a mismatch is reported as -E_CORRUPT and the
 * data is not returned. A blank (all-zero) disk is formatted at mount; anything else that fails
 * validation is left untouched and the system runs without files. */
#include "fs.h"
#include "kernel.h"

static struct labfs_super sb;
static struct labfs_entry dir[LABFS_ENTRIES];
static uint8_t entry_bad[LABFS_ENTRIES];
static uint8_t blk[LABFS_BLOCK] __attribute__((aligned(4)));
static int mounted;
static char state[96] = "no disk";

int fs_mounted(void) { return mounted; }
const char *fs_state(void) { return state; }

static int write_dir(void) {
  memset(blk, 0, sizeof blk);
  memcpy(blk, dir, sizeof dir);
  return vblk_rw(sb.dir_start, blk, 1);
}

static int format(uint32_t total) {
  memset(&sb, 0, sizeof sb);
  sb = (struct labfs_super){LABFS_MAGIC, LABFS_VERSION, LABFS_BLOCK, total, LABFS_DIR_START,
                            LABFS_DIR_BLOCKS, LABFS_DATA_START, LABFS_ENTRIES, "labos"};
  memset(dir, 0, sizeof dir);
  memset(entry_bad, 0, sizeof entry_bad);
  int r = write_dir();
  if (r) return r;
  memset(blk, 0, sizeof blk);
  memcpy(blk, &sb, sizeof sb);
  put_le32(blk + LABFS_SUPER_CRC_OFF, crc32(blk, LABFS_SUPER_CRC_OFF));
  return vblk_rw(0, blk, 1);
}

static int all_zero(const uint8_t *p, uint32_t n) {
  for (uint32_t i = 0; i < n; i++)
    if (p[i]) return 0;
  return 1;
}

static const char *check_super(uint32_t dev_blocks) {
  memcpy(&sb, blk, sizeof sb);
  if (sb.magic != LABFS_MAGIC) return "bad magic (not a labfs disk)";
  if (le32(blk + LABFS_SUPER_CRC_OFF) != crc32(blk, LABFS_SUPER_CRC_OFF))
    return "superblock checksum mismatch";
  if (sb.version != LABFS_VERSION) return "unsupported version";
  if (sb.block_size != LABFS_BLOCK || sb.dir_start != LABFS_DIR_START ||
      sb.dir_blocks != LABFS_DIR_BLOCKS || sb.data_start != LABFS_DATA_START ||
      sb.max_entries != LABFS_ENTRIES)
    return "unsupported geometry";
  if (sb.total_blocks > dev_blocks || sb.total_blocks <= sb.data_start) return "size does not match the disk";
  return NULL;
}

static int valid_name(const char *n) {
  size_t len = strnlen(n, sizeof dir[0].name);
  if (len == 0 || len >= sizeof dir[0].name) return 0;
  for (size_t i = 0; i < len; i++) {
    char c = n[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '_' || c == '-'))
      return 0;
  }
  return 1;
}

static int overlaps(uint32_t start, uint32_t n, int skip) {
  for (int i = 0; i < LABFS_ENTRIES; i++) {
    const struct labfs_entry *e = &dir[i];
    if (i == skip || !(e->flags & 1) || entry_bad[i] || !e->nblocks) continue;
    if (start < e->start + e->nblocks && e->start < start + n) return 1;
  }
  return 0;
}

static const char *check_entry(int i) {
  const struct labfs_entry *e = &dir[i];
  if (all_zero((const uint8_t *)e, sizeof *e)) return NULL;
  if (e->entry_crc != crc32(e, 60)) return "entry checksum mismatch";
  if (e->flags != 1) return e->flags & 1 ? "unknown flags" : "non-zero free entry";
  if (!valid_name(e->name) || e->name[sizeof e->name - 1]) return "invalid name";
  if (e->size > LABFS_MAX_FILE || e->nblocks != (e->size + LABFS_BLOCK - 1) / LABFS_BLOCK)
    return "invalid size";
  if (e->nblocks && (e->start < sb.data_start || e->start > sb.total_blocks - e->nblocks))
    return "extent outside the disk";
  if (overlaps(e->start, e->nblocks, i)) return "extent overlaps another file";
  for (int k = 0; k < i; k++)
    if ((dir[k].flags & 1) && !entry_bad[k] && !strncmp(dir[k].name, e->name, sizeof e->name))
      return "duplicate name";
  return NULL;
}

void fs_mount(void) {
  uint32_t dev = vblk_blocks();
  mounted = 0;
  if (dev < LABFS_DATA_START + 1) {
    snfmt(state, sizeof state, "mount failed: disk too small");
  } else if (vblk_rw(0, blk, 0)) {
    snfmt(state, sizeof state, "mount failed: cannot read the superblock");
  } else if (all_zero(blk, sizeof blk)) {
    if (vblk_readonly()) {
      snfmt(state, sizeof state, "mount failed: the disk is blank and read-only");
    } else {
      kprintf("fs: blank disk, formatting labfs (%u blocks)\n", dev);
      if (format(dev)) snfmt(state, sizeof state, "mount failed: format error (disk I/O)");
      else mounted = 1;
    }
  } else {
    const char *why = check_super(dev);
    if (!why && vblk_rw(sb.dir_start, blk, 0)) why = "cannot read the directory";
    if (why) {
      snfmt(state, sizeof state, "mount failed: %s", why);
    } else {
      memcpy(dir, blk, sizeof dir);
      mounted = 1;
      for (int i = 0; i < LABFS_ENTRIES; i++) {
        const char *bad = check_entry(i);
        entry_bad[i] = bad != NULL;
        if (bad) kprintf("fs: directory entry %d is corrupt (%s); ignored\n", i, bad);
      }
    }
  }
  if (!mounted) {
    kprintf("fs: %s; continuing without a file system\n", state);
    return;
  }
  uint32_t files = 0;
  for (int i = 0; i < LABFS_ENTRIES; i++) files += (dir[i].flags & 1) && !entry_bad[i];
  snfmt(state, sizeof state, "mounted, %u file(s)", files);
  kprintf("fs: labfs %s, %u of %u blocks free\n", state, fs_free_blocks(), sb.total_blocks);
}

static const char *strip(const char *name) { return name[0] == '/' ? name + 1 : name; }

static int find(const char *name) {
  for (int i = 0; i < LABFS_ENTRIES; i++)
    if ((dir[i].flags & 1) && !entry_bad[i] && !strncmp(dir[i].name, name, sizeof dir[i].name))
      return i;
  return -1;
}

static int check_name(const char *name) {
  if (!mounted) return -E_NODEV;
  if (strchr(name, '/')) return -E_INVAL; /* directories are not supported */
  if (strlen(name) > FS_NAME_MAX) return -E_NAMETOOLONG;
  return valid_name(name) ? 0 : -E_INVAL;
}

int fs_list(uint32_t index, struct fs_stat *st) {
  if (!mounted) return -E_NODEV;
  for (int i = 0; i < LABFS_ENTRIES; i++) {
    if (!(dir[i].flags & 1) || entry_bad[i] || index--) continue;
    memcpy(st->name, dir[i].name, sizeof st->name);
    st->size = dir[i].size;
    return 0;
  }
  return -E_NOENT;
}

int fs_read(const char *name, void *buf, uint32_t max) {
  name = strip(name);
  int r = check_name(name), i = r ? -1 : find(name);
  if (r) return r;
  if (i < 0) return -E_NOENT;
  const struct labfs_entry *e = &dir[i];
  if (e->size > max) return -E_2BIG;
  uint32_t crc = 0;
  for (uint32_t b = 0; b < e->nblocks; b++) {
    if ((r = vblk_rw(e->start + b, blk, 0))) break;
    uint32_t n = e->size - b * LABFS_BLOCK < LABFS_BLOCK ? e->size - b * LABFS_BLOCK : LABFS_BLOCK;
    crc = crc32_update(crc, blk, n);
    memcpy((uint8_t *)buf + b * LABFS_BLOCK, blk, n);
  }
  memset(blk, 0, sizeof blk); /* the key must stay on its own page only */
  if (r) return r;
  if (crc != e->data_crc) {
    memset(buf, 0, e->size); /* corrupt data is reported, never returned */
    return -E_CORRUPT;
  }
  return (int)e->size;
}

static int find_extent(uint32_t n, int skip, uint32_t *start) {
  for (uint32_t s = sb.data_start; s + n <= sb.total_blocks; s++) {
    if (!overlaps(s, n, skip)) {
      *start = s;
      return 0;
    }
  }
  return -E_NOSPC;
}

int fs_write(const char *name, const void *buf, uint32_t len) {
  name = strip(name);
  int r = check_name(name), i = r ? -1 : find(name), slot = i;
  if (r) return r;
  if (len > LABFS_MAX_FILE) return -E_2BIG;
  for (int k = 0; k < LABFS_ENTRIES && slot < 0; k++)
    if (!(dir[k].flags & 1) && !entry_bad[k]) slot = k;
  if (slot < 0) return -E_NOSPC;
  uint32_t n = (len + LABFS_BLOCK - 1) / LABFS_BLOCK, start = 0;
  if (n && (r = find_extent(n, -1, &start))) return r; /* -1: never overwrite the old version */
  for (uint32_t b = 0; b < n; b++) {
    uint32_t k = len - b * LABFS_BLOCK < LABFS_BLOCK ? len - b * LABFS_BLOCK : LABFS_BLOCK;
    memset(blk, 0, sizeof blk);
    memcpy(blk, (const uint8_t *)buf + b * LABFS_BLOCK, k);
    if ((r = vblk_rw(start + b, blk, 1))) break;
  }
  memset(blk, 0, sizeof blk);
  if (r) return r;
  struct labfs_entry e;
  memset(&e, 0, sizeof e);
  memcpy(e.name, name, strlen(name));
  e.flags = 1, e.size = len, e.start = start, e.nblocks = n, e.data_crc = crc32(buf, len);
  e.entry_crc = crc32(&e, 60);
  struct labfs_entry old = dir[slot];
  dir[slot] = e;
  if ((r = write_dir())) dir[slot] = old;
  return r ? r : (int)len;
}

int fs_remove(const char *name) {
  name = strip(name);
  int r = check_name(name), i = r ? -1 : find(name);
  if (r) return r;
  if (i < 0) return -E_NOENT;
  struct labfs_entry old = dir[i];
  memset(&dir[i], 0, sizeof dir[i]);
  if ((r = write_dir())) {
    dir[i] = old;
    return r;
  }
  memset(blk, 0, sizeof blk); /* wipe the freed data (the secret must not linger on disk) */
  for (uint32_t b = 0; b < old.nblocks; b++) vblk_rw(old.start + b, blk, 1);
  return 0;
}

int fs_verify(char *what, uint32_t max) {
  static uint8_t data[LABFS_MAX_FILE];
  if (!mounted) return -E_NODEV;
  for (int i = 0; i < LABFS_ENTRIES; i++) {
    if (entry_bad[i]) {
      snfmt(what, max, "fs-entry-%d", i);
      return -E_CORRUPT;
    }
    if (!(dir[i].flags & 1)) continue;
    int r = fs_read(dir[i].name, data, sizeof data);
    if (r < 0) {
      snfmt(what, max, "fs-file-%s", dir[i].name);
      return r;
    }
  }
  return 0;
}

int fs_scratch_extent(uint32_t nblocks, uint32_t *start) {
  if (!mounted) return -E_NODEV;
  return find_extent(nblocks, -1, start);
}

uint32_t fs_free_blocks(void) {
  uint32_t used = sb.data_start;
  for (int i = 0; i < LABFS_ENTRIES; i++)
    if ((dir[i].flags & 1) && !entry_bad[i]) used += dir[i].nblocks;
  return sb.total_blocks - used;
}
