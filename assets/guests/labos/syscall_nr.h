/* labOS system call numbers and error codes, shared by the kernel and user programs.
 * Calling convention: a7 = number, a0..a3 arguments, a0 = result (negative = -error). */
#ifndef LABOS_SYSCALL_NR_H
#define LABOS_SYSCALL_NR_H

#define SYS_EXIT 0
#define SYS_WRITE 1
#define SYS_READ 2
#define SYS_SPAWN 3
#define SYS_WAIT 4
#define SYS_SBRK 5
#define SYS_UPTIME 6
#define SYS_FS_LIST 7
#define SYS_FS_READ 8
#define SYS_FS_WRITE 9
#define SYS_FS_REMOVE 10
#define SYS_SECRET 11
#define SYS_SELFTEST 12
#define SYS_BENCH 13
#define SYS_HALT 14
#define SYS_REBOOT 15
#define SYS_GETPID 16
#define SYS_SYSINFO 17
#define SYS_TIMEBASE 18
#define SYS_YIELD 19
#define SYS_SLEEP 20
#define NSYSCALLS 21

#define BENCH_EXIT 0
#define BENCH_DISK 1

#define E_PERM 1
#define E_NOENT 2
#define E_IO 5
#define E_2BIG 7
#define E_NOMEM 12
#define E_FAULT 14
#define E_EXIST 17
#define E_INVAL 22
#define E_NOSPC 28
#define E_NOSYS 38
#define E_NAMETOOLONG 36
#define E_CORRUPT 74 /* EBADMSG: a checksum did not match */
#define E_NODEV 19
#define E_CHILD 10
#endif
