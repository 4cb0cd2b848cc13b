/* Status bits written on trap entry (priv 1.12 sections 3.1.6.1-2 mstatus xIE/xPIE/xPP, 8.2.1
   hstatus SPV/SPVP/GVA, 8.2.12 mstatus MPV/GVA, 8.6.4 "Trap Entry"): for traps into M, HS and VS
   from every privilege and both interrupt-enable states, the handler's view of mstatus/mstatush,
   sstatus/hstatus or vsstatus. */
#include "rt.h"

extern char s_trap_entry[], vs_trap_entry[];

static u32 ill(u32 x) {
  asm volatile(".word 0xffffffff");
  return x;
}

/* Runs in the target mode with that mode's own xIE set first, so xPIE shows it. */
static u32 ill_sie(u32 x) {
  csr_set(sstatus, MSTATUS_SIE);
  asm volatile(".word 0xffffffff");
  csr_clear(sstatus, MSTATUS_SIE);
  return x;
}

static const char *const mname[] = {"U", "S", "?", "M", "VU", "VS"};

static void report(const char *title, int mode) {
  puts_(title);
  puts_(" from ");
  puts_(mname[mode]);
  putc_(':');
  if (last_trap.n == 0) {
    puts_(" none\n");
    return;
  }
  putc_(' ');
  putc_((char)last_trap.level);
  u32 st = last_trap.st, sth = last_trap.sth;
  if (last_trap.level == 'M') {
    puts_(" MIE=");
    putdec((st >> 3) & 1);
    puts_(" MPIE=");
    putdec((st >> 7) & 1);
    puts_(" MPP=");
    putdec((st >> 11) & 3);
    puts_(" MPV=");
    putdec((sth >> 7) & 1);
    puts_(" SIE=");
    putdec((st >> 1) & 1);
  } else {
    puts_(" SIE=");
    putdec((st >> 1) & 1);
    puts_(" SPIE=");
    putdec((st >> 5) & 1);
    puts_(" SPP=");
    putdec((st >> 8) & 1);
    if (last_trap.level == 'S') {
      puts_(" SPV=");
      putdec((sth >> 7) & 1);
      puts_(" SPVP=");
      putdec((sth >> 8) & 1);
    }
  }
  putc_('\n');
  clear_trap();
}

static void all(const char *title) {
  static const int modes[] = {MODE_U, MODE_S, MODE_M, MODE_VU, MODE_VS};
  for (int i = 0; i < 5; i++) {
    clear_trap();
    run_mode(modes[i], ill, 0);
    report(title, modes[i]);
    if (modes[i] == MODE_S || modes[i] == MODE_VS) {
      run_mode(modes[i], ill_sie, 0);
      puts_("(SIE=1) ");
      report(title, modes[i]);
    }
  }
}

int main(void) {
  clear_trap();
  csr_write(stvec, s_trap_entry);
  csr_write(vstvec, vs_trap_entry);
  all("to M");
  csr_set(mstatus, MSTATUS_MIE);
  clear_trap();
  asm volatile(".word 0xffffffff");
  csr_clear(mstatus, MSTATUS_MIE);
  report("to M (MIE=1)", MODE_M);
  csr_write(medeleg, 1u << 2);
  csr_set(hstatus, HSTATUS_SPVP); /* must be overwritten by traps from V=1 only */
  all("to HS");
  csr_clear(hstatus, HSTATUS_SPVP);
  all("to HS (SPVP was 0)");
  csr_write(hedeleg, 1u << 2);
  all("to VS");
  csr_write(medeleg, 0);
  csr_write(hedeleg, 0);
  return 0;
}
