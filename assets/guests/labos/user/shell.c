/* The labOS shell, a user-mode program: reads a line, splits it into a command and arguments,
 * and runs the command through system calls. Every bad command or argument gets a one-line
 * error; nothing the user types can crash the kernel. Machine-readable lines start with an
 * upper-case tag (SELFTEST, BENCH, SECRET, UPTIME); everything timing-dependent is on them. */
#include "ulib.h"

#define MAX_ARGS 4
static char line[256];
static uint8_t filebuf[65536];

struct cmd {
  const char *name, *usage, *help;
  int min_args, max_args; /* words after the command; write takes the rest of the line */
  void (*run)(int argc, char **argv, const char *rest);
};

static void fail(const char *cmd, const char *name, int err) {
  if (name) printf("%s: %s: %s\n", cmd, name, strerror(-err));
  else printf("%s: %s\n", cmd, strerror(-err));
}

static void cmd_help(int argc, char **argv, const char *rest);

static void cmd_ls(int argc, char **argv, const char *rest) {
  (void)argc, (void)argv, (void)rest;
  struct fs_stat st;
  uint32_t i = 0;
  int r;
  while ((r = syscall(SYS_FS_LIST, i, (uint32_t)(uintptr_t)&st, 0)) == 0) {
    printf("%-39s %u\n", st.name, st.size);
    i++;
  }
  if (r != -E_NOENT) fail("ls", NULL, r);
  else if (i == 0) printf("(no files)\n");
}

static int read_file(const char *cmd, const char *name) {
  int r = syscall(SYS_FS_READ, (uint32_t)(uintptr_t)name, (uint32_t)(uintptr_t)filebuf, sizeof filebuf);
  if (r < 0) fail(cmd, name, r);
  return r;
}

static void cmd_cat(int argc, char **argv, const char *rest) {
  (void)argc, (void)rest;
  int n = read_file("cat", argv[1]);
  if (n < 0) return;
  for (int i = 0; i < n; i++) {
    if ((filebuf[i] < 0x20 && filebuf[i] != '\n' && filebuf[i] != '\t') || filebuf[i] >= 0x7f) {
      printf("cat: %s: binary file (%d bytes); use hexdump\n", argv[1], n);
      return;
    }
  }
  puts_raw((const char *)filebuf, (uint32_t)n);
  if (n > 0 && filebuf[n - 1] != '\n') printf("\n");
}

static void cmd_write(int argc, char **argv, const char *rest) {
  (void)argc;
  uint32_t len = (uint32_t)strlen(rest);
  int r = syscall(SYS_FS_WRITE, (uint32_t)(uintptr_t)argv[1], (uint32_t)(uintptr_t)rest, len);
  if (r == -E_INVAL) printf("write: %s: invalid name (1-39 of A-Z a-z 0-9 . _ -; no directories)\n", argv[1]);
  else if (r < 0) fail("write", argv[1], r);
  else printf("wrote %d bytes to %s\n", r, argv[1]);
}

static void cmd_rm(int argc, char **argv, const char *rest) {
  (void)argc, (void)rest;
  int r = syscall(SYS_FS_REMOVE, (uint32_t)(uintptr_t)argv[1], 0, 0);
  if (r < 0) fail("rm", argv[1], r);
  else printf("removed %s\n", argv[1]);
}

static void cmd_hexdump(int argc, char **argv, const char *rest) {
  (void)argc, (void)rest;
  int n = read_file("hexdump", argv[1]);
  for (int off = 0; off < n; off += 16) {
    char asc[17];
    printf("%08x ", off);
    for (int i = 0; i < 16; i++) {
      if (i == 8) printf(" ");
      if (off + i < n) printf(" %02x", filebuf[off + i]);
      else printf("   ");
      uint8_t c = off + i < n ? filebuf[off + i] : ' ';
      asc[i] = c >= 0x20 && c < 0x7f ? (char)c : '.';
    }
    asc[n - off < 16 ? n - off : 16] = 0;
    printf("  |%s|\n", asc);
  }
  if (n >= 0) printf("%08x\n", n);
}

static void cmd_secret(int argc, char **argv, const char *rest) {
  (void)rest;
  char out[256];
  uint32_t times = 1;
  int where = argc > 1 && !strcmp(argv[1], "where");
  int watch = argc > 1 && !strcmp(argv[1], "watch");
  if ((argc > 1 && !where && !watch) || (where && argc > 2) ||
      (watch && (argc != 3 || parse_u32(argv[2], &times) || times == 0 || times > 60))) {
    printf("usage: secret [where | watch N]  (N from 1 to 60)\n");
    return;
  }
  for (uint32_t i = 0; i < times; i++) {
    if (i) syscall(SYS_SLEEP, 1000, 0, 0);
    int r = syscall(SYS_SECRET, (uint32_t)where, (uint32_t)(uintptr_t)out, sizeof out);
    if (r < 0) fail("secret", NULL, r);
    else puts_raw(out, (uint32_t)r);
  }
}

static void cmd_selftest(int argc, char **argv, const char *rest) {
  (void)argc, (void)argv, (void)rest;
  static char out[1024];
  int r = syscall(SYS_SELFTEST, (uint32_t)(uintptr_t)out, sizeof out, 0);
  if (r < 0) printf("SELFTEST FAIL syscall-%d\n", -r);
  else puts_raw(out, (uint32_t)r);
}

void cmd_bench(int argc, char **argv, const char *rest);

static void cmd_uptime(int argc, char **argv, const char *rest) {
  (void)argc, (void)argv, (void)rest;
  uint32_t ms = uptime_ms(), info[5];
  syscall(SYS_SYSINFO, (uint32_t)(uintptr_t)info, 0, 0);
  printf("UPTIME %u.%03u s\n", ms / 1000, ms % 1000);
  printf("harts %u/%u online, memory %u KiB free of %u KiB\n", info[3], info[4], info[1] * 4,
         info[0] / 1024);
}

static void cmd_halt(int argc, char **argv, const char *rest) {
  (void)argc, (void)argv, (void)rest;
  syscall(SYS_HALT, 0, 0, 0);
}

static void cmd_reboot(int argc, char **argv, const char *rest) {
  (void)argc, (void)argv, (void)rest;
  syscall(SYS_REBOOT, 0, 0, 0);
}

static void cmd_run(int argc, char **argv, const char *rest) {
  (void)rest;
  int status = 0, pid = spawn(argv[1], argc > 2 ? argv[2] : "");
  if (pid < 0) {
    printf("run: %s: %s (programs: shell crash spin)\n", argv[1],
           pid == -E_NOENT ? "no such program" : strerror(-pid));
    return;
  }
  if (wait(pid, &status) < 0) printf("run: lost child %d\n", pid);
  else printf("run: %s (pid %d) exited with status %d\n", argv[1], pid, status);
}

static const struct cmd cmds[] = {
    {"help", "help", "list the commands", 0, 0, cmd_help},
    {"ls", "ls", "list files with their sizes", 0, 0, cmd_ls},
    {"cat", "cat NAME", "print a file", 1, 1, cmd_cat},
    {"write", "write NAME TEXT", "create or replace a file with TEXT", 2, 99, cmd_write},
    {"rm", "rm NAME", "remove a file", 1, 1, cmd_rm},
    {"hexdump", "hexdump NAME", "print a file in hex", 1, 1, cmd_hexdump},
    {"secret", "secret [where | watch N]", "the key's fingerprint (N times, 1 s apart), or its address", 0, 2, cmd_secret},
    {"selftest", "selftest", "check file checksums, the secret and a memory pattern", 0, 0, cmd_selftest},
    {"bench", "bench cpu|mem|disk|exit|all [N]", "run a benchmark (N scales it)", 1, 2, cmd_bench},
    {"uptime", "uptime", "time since boot, harts and free memory", 0, 0, cmd_uptime},
    {"run", "run PROGRAM [ARG]", "run a user program (crash, spin) and wait for it", 1, 2, cmd_run},
    {"halt", "halt", "power off", 0, 0, cmd_halt},
    {"reboot", "reboot", "restart the machine", 0, 0, cmd_reboot},
};

static void cmd_help(int argc, char **argv, const char *rest) {
  (void)argc, (void)argv, (void)rest;
  for (uint32_t i = 0; i < ARRAY_LEN(cmds); i++) printf("  %-32s %s\n", cmds[i].usage, cmds[i].help);
}

/* Splits s in place into words; argv gets the first MAX_ARGS, the return value counts all of
 * them, and *rest is the offset of the third word (where write's TEXT starts), or -1. */
static int split(char *s, char **argv, int *rest) {
  int argc = 0;
  char *p = s;
  *rest = -1;
  for (;;) {
    while (*p == ' ') p++;
    if (!*p) return argc;
    if (argc == 2) *rest = (int)(p - s);
    if (argc < MAX_ARGS) argv[argc] = p;
    argc++;
    while (*p && *p != ' ') p++;
    if (*p) *p++ = 0;
  }
}

static void execute(char *s) {
  char copy[256];
  char *argv[MAX_ARGS];
  int rest;
  memcpy(copy, s, sizeof copy);
  int argc = split(s, argv, &rest);
  if (argc == 0) return;
  for (uint32_t i = 0; i < ARRAY_LEN(cmds); i++) {
    const struct cmd *c = &cmds[i];
    if (strcmp(argv[0], c->name)) continue;
    if (argc - 1 < c->min_args || argc - 1 > c->max_args) {
      printf("usage: %s\n", c->usage);
      return;
    }
    c->run(argc, argv, rest >= 0 ? copy + rest : ""); /* the text keeps its spaces */
    return;
  }
  printf("error: unknown command '%s' (type 'help')\n", argv[0]);
}

int main(const char *arg) {
  (void)arg;
  printf("labOS shell: type 'help' for the commands\n");
  for (;;) {
    printf("labos> ");
    int n = read_line(line, sizeof line - 1);
    if (n == -E_2BIG) {
      printf("error: line too long (at most 255 characters)\n");
      continue;
    }
    if (n < 0) {
      printf("error: cannot read the console: %s\n", strerror(-n));
      continue;
    }
    line[n] = 0;
    execute(line);
  }
}
