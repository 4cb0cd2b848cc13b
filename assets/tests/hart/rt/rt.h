/* Shared runtime for the hart test programs: UART transcript printing, test-finisher exit,
   CSR access macros, mode switching and trap records (priv 1.12 chapters 3, 4, 8/9 "H").
   Every program prints only deterministic values: registers, CSRs, causes, never raw time. */
#ifndef HART_RT_H
#define HART_RT_H
#include <stdint.h>

asm(".option arch, +h");

typedef uint32_t u32;
typedef int32_t i32;

#define MAGIC 0x5ec

#define STR_(x) #x
#define STR(x) STR_(x)
#define csr_read(c) ({ u32 __v; asm volatile("csrr %0, " STR(c) : "=r"(__v) :: "memory"); __v; })
#define csr_write(c, v) asm volatile("csrw " STR(c) ", %0" :: "r"((u32)(v)) : "memory")
#define csr_set(c, v) asm volatile("csrs " STR(c) ", %0" :: "r"((u32)(v)) : "memory")
#define csr_clear(c, v) asm volatile("csrc " STR(c) ", %0" :: "r"((u32)(v)) : "memory")
#define csr_swap(c, v) ({ u32 __v; asm volatile("csrrw %0, " STR(c) ", %1" : "=r"(__v) : "r"((u32)(v)) : "memory"); __v; })

/* CSR numbers the assembler may not name. */
#define CSR_MTINST 0x34a
#define CSR_MTVAL2 0x34b
#define CSR_MENVCFG 0x30a
#define CSR_MENVCFGH 0x31a
#define CSR_HENVCFG 0x60a
#define CSR_HENVCFGH 0x61a
#define CSR_STIMECMP 0x14d
#define CSR_STIMECMPH 0x15d
#define CSR_VSTIMECMP 0x24d
#define CSR_VSTIMECMPH 0x25d

/* mode codes for run_mode: low 2 bits = privilege, bit 2 = V */
#define MODE_U 0
#define MODE_S 1
#define MODE_M 3
#define MODE_VU 4
#define MODE_VS 5

#define MSTATUS_SIE (1u << 1)
#define MSTATUS_MIE (1u << 3)
#define MSTATUS_SPIE (1u << 5)
#define MSTATUS_MPIE (1u << 7)
#define MSTATUS_SPP (1u << 8)
#define MSTATUS_MPP (3u << 11)
#define MSTATUS_MPRV (1u << 17)
#define MSTATUS_SUM (1u << 18)
#define MSTATUS_MXR (1u << 19)
#define MSTATUS_TVM (1u << 20)
#define MSTATUS_TW (1u << 21)
#define MSTATUS_TSR (1u << 22)
#define MSTATUSH_GVA (1u << 6)
#define MSTATUSH_MPV (1u << 7)
#define HSTATUS_GVA (1u << 6)
#define HSTATUS_SPV (1u << 7)
#define HSTATUS_SPVP (1u << 8)
#define HSTATUS_HU (1u << 9)
#define HSTATUS_VTVM (1u << 20)
#define HSTATUS_VTW (1u << 21)
#define HSTATUS_VTSR (1u << 22)

#define CLINT_MSIP ((volatile u32 *)0x02000000)
#define CLINT_MTIMECMP ((volatile u32 *)0x02004000)
#define CLINT_MTIME ((volatile u32 *)0x0200bff8)

/* One trap as the handler saw it.  level: 'M', 'S' (HS) or 'V' (VS). */
struct trap {
  u32 n, level, cause, tval, epc, tval2, tinst, st, sth, vec;
};
extern volatile struct trap last_trap;
/* When nonzero, the next exception returns here instead of epc+4 (fetch faults). */
extern volatile u32 resume_pc;
/* Every trap's level<<24 | cause (interrupt bit folded into bit 23), in order, for sequences. */
extern volatile u32 trap_log[16];
extern volatile u32 trap_log_n;
void show_log(const char *label); /* prints trap_log, then clear_trap() */
/* Spins (with WFI) until a trap is recorded or the bound runs out; returns 1 if one came. */
int wait_trap(void);
extern volatile u32 vec_hit;
/* When nonzero, show_trap prints epc relative to it ("e=+offset") so transcripts do not
   depend on code layout; set with MARK(label) from an address published by LABEL(). */
extern volatile u32 mark;
/* When nonzero with mark, tval is printed relative to mark too ("v=+offset"). */
extern volatile u32 mark_tval;
#define LABEL(name) ".globl " #name "\n" #name ":\n"
#define MARK(name)                  \
  do {                              \
    extern char name[];             \
    mark = (u32)name;               \
  } while (0)
#define MARKV(name)                 \
  do {                              \
    MARK(name);                     \
    mark_tval = 1;                  \
  } while (0)
/* Fixed scratch RAM outside the image, so printed tvals do not depend on the link layout. */
#define SCRATCH 0x80040000u

void putc_(char c);
void puts_(const char *s);
void puthex(u32 v);
void putdec(u32 v);
void show(const char *label, u32 v);        /* "label xxxxxxxx\n" */
void show_trap(const char *label);         /* prints and clears last_trap */
void clear_trap(void);
void finish(int code) __attribute__((noreturn));
u32 run_mode(int mode, u32 (*fn)(u32), u32 arg);
u32 run_mode_user(int mode, u32 (*fn)(u32), u32 arg); /* returns through the U-page stub */
u32 read_mtime(void);

#define USER __attribute__((section(".user.text"), noinline))
#define USERDATA __attribute__((section(".user.data"), aligned(4)))

#endif
