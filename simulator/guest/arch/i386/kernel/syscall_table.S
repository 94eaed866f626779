/*
 * arch/i386/kernel/syscall_table.S — sys_call_table: the system call dispatch table (ULK3 §10.3
 * "Entering and Exiting a System Call": system_call does `call *sys_call_table(,%eax,4)` —
 * extrapolated from 2.6.11, whose table this follows entry for entry).
 *
 * The index is the system call number user programs put in eax before `int $0x80`; these numbers are
 * Linux's i386 ABI, so the same static binary runs on Linux and on ksim. Every number ksim does not
 * implement points to sys_ni_syscall ("not implemented": -ENOSYS). The table has exactly NR_syscalls
 * (289) entries; system_call rejects larger numbers before indexing.
 */
#include <linux/linkage.h>
#include <asm/unistd.h>

	.section .rodata, "a"
	.p2align 2
	.globl sys_call_table
	.type sys_call_table, @object
sys_call_table:
	.long sys_ni_syscall          /*   0 restart_syscall */
	.long sys_exit                /*   1 exit */
	.long sys_fork                /*   2 fork */
	.long sys_read                /*   3 read */
	.long sys_write               /*   4 write */
	.long sys_open                /*   5 open */
	.long sys_close               /*   6 close */
	.long sys_waitpid             /*   7 waitpid */
	.long sys_ni_syscall          /*   8 */
	.long sys_ni_syscall          /*   9 */
	.long sys_ni_syscall          /*  10 */
	.long sys_execve              /*  11 execve */
	.long sys_ni_syscall          /*  12 */
	.long sys_ni_syscall          /*  13 */
	.long sys_ni_syscall          /*  14 */
	.long sys_ni_syscall          /*  15 */
	.long sys_ni_syscall          /*  16 */
	.long sys_ni_syscall          /*  17 */
	.long sys_ni_syscall          /*  18 */
	.long sys_ni_syscall          /*  19 */
	.long sys_getpid              /*  20 getpid */
	.long sys_ni_syscall          /*  21 */
	.long sys_ni_syscall          /*  22 */
	.long sys_ni_syscall          /*  23 */
	.long sys_getuid              /*  24 getuid */
	.long sys_ni_syscall          /*  25 */
	.long sys_ni_syscall          /*  26 */
	.long sys_ni_syscall          /*  27 */
	.long sys_ni_syscall          /*  28 */
	.long sys_pause               /*  29 pause */
	.long sys_ni_syscall          /*  30 */
	.long sys_ni_syscall          /*  31 */
	.long sys_ni_syscall          /*  32 */
	.long sys_ni_syscall          /*  33 */
	.long sys_nice                /*  34 nice */
	.long sys_ni_syscall          /*  35 */
	.long sys_ni_syscall          /*  36 */
	.long sys_kill                /*  37 kill */
	.long sys_ni_syscall          /*  38 */
	.long sys_ni_syscall          /*  39 */
	.long sys_ni_syscall          /*  40 */
	.long sys_dup                 /*  41 dup */
	.long sys_pipe                /*  42 pipe */
	.long sys_ni_syscall          /*  43 */
	.long sys_ni_syscall          /*  44 */
	.long sys_brk                 /*  45 brk */
	.long sys_ni_syscall          /*  46 */
	.long sys_getuid              /*  47 getgid */
	.long sys_signal              /*  48 signal */
	.long sys_getuid              /*  49 geteuid */
	.long sys_getuid              /*  50 getegid */
	.long sys_ni_syscall          /*  51 */
	.long sys_ni_syscall          /*  52 */
	.long sys_ni_syscall          /*  53 */
	.long sys_ni_syscall          /*  54 */
	.long sys_ni_syscall          /*  55 */
	.long sys_ni_syscall          /*  56 */
	.long sys_ni_syscall          /*  57 */
	.long sys_ni_syscall          /*  58 */
	.long sys_ni_syscall          /*  59 */
	.long sys_ni_syscall          /*  60 */
	.long sys_ni_syscall          /*  61 */
	.long sys_ni_syscall          /*  62 */
	.long sys_dup2                /*  63 dup2 */
	.long sys_getppid             /*  64 getppid */
	.long sys_getpgrp             /*  65 getpgrp */
	.long sys_ni_syscall          /*  66 */
	.long sys_sigaction           /*  67 sigaction */
	.long sys_ni_syscall          /*  68 */
	.long sys_ni_syscall          /*  69 */
	.long sys_ni_syscall          /*  70 */
	.long sys_ni_syscall          /*  71 */
	.long sys_ni_syscall          /*  72 */
	.long sys_ni_syscall          /*  73 */
	.long sys_ni_syscall          /*  74 */
	.long sys_ni_syscall          /*  75 */
	.long sys_ni_syscall          /*  76 */
	.long sys_ni_syscall          /*  77 */
	.long sys_ni_syscall          /*  78 */
	.long sys_ni_syscall          /*  79 */
	.long sys_ni_syscall          /*  80 */
	.long sys_ni_syscall          /*  81 */
	.long sys_ni_syscall          /*  82 */
	.long sys_ni_syscall          /*  83 */
	.long sys_ni_syscall          /*  84 */
	.long sys_ni_syscall          /*  85 */
	.long sys_ni_syscall          /*  86 */
	.long sys_ni_syscall          /*  87 */
	.long sys_reboot              /*  88 reboot */
	.long sys_ni_syscall          /*  89 */
	.long sys_ni_syscall          /*  90 */
	.long sys_ni_syscall          /*  91 */
	.long sys_ni_syscall          /*  92 */
	.long sys_ni_syscall          /*  93 */
	.long sys_ni_syscall          /*  94 */
	.long sys_ni_syscall          /*  95 */
	.long sys_ni_syscall          /*  96 */
	.long sys_ni_syscall          /*  97 */
	.long sys_ni_syscall          /*  98 */
	.long sys_ni_syscall          /*  99 */
	.long sys_ni_syscall          /* 100 */
	.long sys_ni_syscall          /* 101 */
	.long sys_ni_syscall          /* 102 */
	.long sys_ni_syscall          /* 103 */
	.long sys_ni_syscall          /* 104 */
	.long sys_ni_syscall          /* 105 */
	.long sys_ni_syscall          /* 106 */
	.long sys_ni_syscall          /* 107 */
	.long sys_ni_syscall          /* 108 */
	.long sys_ni_syscall          /* 109 */
	.long sys_ni_syscall          /* 110 */
	.long sys_ni_syscall          /* 111 */
	.long sys_ni_syscall          /* 112 */
	.long sys_ni_syscall          /* 113 */
	.long sys_wait4               /* 114 wait4 */
	.long sys_ni_syscall          /* 115 */
	.long sys_ni_syscall          /* 116 */
	.long sys_ni_syscall          /* 117 */
	.long sys_ni_syscall          /* 118 */
	.long sys_sigreturn           /* 119 sigreturn */
	.long sys_clone               /* 120 clone */
	.long sys_ni_syscall          /* 121 */
	.long sys_ni_syscall          /* 122 */
	.long sys_ni_syscall          /* 123 */
	.long sys_ni_syscall          /* 124 */
	.long sys_ni_syscall          /* 125 */
	.long sys_sigprocmask         /* 126 sigprocmask */
	.long sys_ni_syscall          /* 127 */
	.long sys_ni_syscall          /* 128 */
	.long sys_ni_syscall          /* 129 */
	.long sys_ni_syscall          /* 130 */
	.long sys_ni_syscall          /* 131 */
	.long sys_ni_syscall          /* 132 */
	.long sys_ni_syscall          /* 133 */
	.long sys_ni_syscall          /* 134 */
	.long sys_ni_syscall          /* 135 */
	.long sys_ni_syscall          /* 136 */
	.long sys_ni_syscall          /* 137 */
	.long sys_ni_syscall          /* 138 */
	.long sys_ni_syscall          /* 139 */
	.long sys_ni_syscall          /* 140 */
	.long sys_ni_syscall          /* 141 */
	.long sys_ni_syscall          /* 142 */
	.long sys_ni_syscall          /* 143 */
	.long sys_ni_syscall          /* 144 */
	.long sys_ni_syscall          /* 145 */
	.long sys_ni_syscall          /* 146 */
	.long sys_ni_syscall          /* 147 */
	.long sys_ni_syscall          /* 148 */
	.long sys_ni_syscall          /* 149 */
	.long sys_ni_syscall          /* 150 */
	.long sys_ni_syscall          /* 151 */
	.long sys_ni_syscall          /* 152 */
	.long sys_ni_syscall          /* 153 */
	.long sys_sched_setparam      /* 154 sched_setparam */
	.long sys_sched_getparam      /* 155 sched_getparam */
	.long sys_sched_setscheduler  /* 156 sched_setscheduler */
	.long sys_sched_getscheduler  /* 157 sched_getscheduler */
	.long sys_sched_yield         /* 158 sched_yield */
	.long sys_sched_get_priority_max /* 159 sched_get_priority_max */
	.long sys_sched_get_priority_min /* 160 sched_get_priority_min */
	.long sys_sched_rr_get_interval /* 161 sched_rr_get_interval */
	.long sys_nanosleep           /* 162 nanosleep */
	.long sys_ni_syscall          /* 163 */
	.long sys_ni_syscall          /* 164 */
	.long sys_ni_syscall          /* 165 */
	.long sys_ni_syscall          /* 166 */
	.long sys_ni_syscall          /* 167 */
	.long sys_ni_syscall          /* 168 */
	.long sys_ni_syscall          /* 169 */
	.long sys_ni_syscall          /* 170 */
	.long sys_ni_syscall          /* 171 */
	.long sys_ni_syscall          /* 172 */
	.long sys_ni_syscall          /* 173 */
	.long sys_rt_sigaction        /* 174 rt_sigaction */
	.long sys_ni_syscall          /* 175 */
	.long sys_ni_syscall          /* 176 */
	.long sys_ni_syscall          /* 177 */
	.long sys_ni_syscall          /* 178 */
	.long sys_ni_syscall          /* 179 */
	.long sys_ni_syscall          /* 180 */
	.long sys_ni_syscall          /* 181 */
	.long sys_ni_syscall          /* 182 */
	.long sys_ni_syscall          /* 183 */
	.long sys_ni_syscall          /* 184 */
	.long sys_ni_syscall          /* 185 */
	.long sys_ni_syscall          /* 186 */
	.long sys_ni_syscall          /* 187 */
	.long sys_ni_syscall          /* 188 */
	.long sys_ni_syscall          /* 189 */
	.long sys_vfork               /* 190 vfork */
	.long sys_ni_syscall          /* 191 */
	.long sys_ni_syscall          /* 192 */
	.long sys_ni_syscall          /* 193 */
	.long sys_ni_syscall          /* 194 */
	.long sys_ni_syscall          /* 195 */
	.long sys_ni_syscall          /* 196 */
	.long sys_ni_syscall          /* 197 */
	.long sys_ni_syscall          /* 198 */
	.long sys_ni_syscall          /* 199 */
	.long sys_ni_syscall          /* 200 */
	.long sys_ni_syscall          /* 201 */
	.long sys_ni_syscall          /* 202 */
	.long sys_ni_syscall          /* 203 */
	.long sys_ni_syscall          /* 204 */
	.long sys_ni_syscall          /* 205 */
	.long sys_ni_syscall          /* 206 */
	.long sys_ni_syscall          /* 207 */
	.long sys_ni_syscall          /* 208 */
	.long sys_ni_syscall          /* 209 */
	.long sys_ni_syscall          /* 210 */
	.long sys_ni_syscall          /* 211 */
	.long sys_ni_syscall          /* 212 */
	.long sys_ni_syscall          /* 213 */
	.long sys_ni_syscall          /* 214 */
	.long sys_ni_syscall          /* 215 */
	.long sys_ni_syscall          /* 216 */
	.long sys_ni_syscall          /* 217 */
	.long sys_ni_syscall          /* 218 */
	.long sys_ni_syscall          /* 219 */
	.long sys_ni_syscall          /* 220 */
	.long sys_ni_syscall          /* 221 */
	.long sys_ni_syscall          /* 222 */
	.long sys_ni_syscall          /* 223 */
	.long sys_gettid              /* 224 gettid */
	.long sys_ni_syscall          /* 225 */
	.long sys_ni_syscall          /* 226 */
	.long sys_ni_syscall          /* 227 */
	.long sys_ni_syscall          /* 228 */
	.long sys_ni_syscall          /* 229 */
	.long sys_ni_syscall          /* 230 */
	.long sys_ni_syscall          /* 231 */
	.long sys_ni_syscall          /* 232 */
	.long sys_ni_syscall          /* 233 */
	.long sys_ni_syscall          /* 234 */
	.long sys_ni_syscall          /* 235 */
	.long sys_ni_syscall          /* 236 */
	.long sys_ni_syscall          /* 237 */
	.long sys_ni_syscall          /* 238 */
	.long sys_ni_syscall          /* 239 */
	.long sys_ni_syscall          /* 240 */
	.long sys_sched_setaffinity   /* 241 sched_setaffinity */
	.long sys_sched_getaffinity   /* 242 sched_getaffinity */
	.long sys_ni_syscall          /* 243 */
	.long sys_ni_syscall          /* 244 */
	.long sys_ni_syscall          /* 245 */
	.long sys_ni_syscall          /* 246 */
	.long sys_ni_syscall          /* 247 */
	.long sys_ni_syscall          /* 248 */
	.long sys_ni_syscall          /* 249 */
	.long sys_ni_syscall          /* 250 */
	.long sys_ni_syscall          /* 251 */
	.long sys_exit_group          /* 252 exit_group */
	.long sys_ni_syscall          /* 253 */
	.long sys_ni_syscall          /* 254 */
	.long sys_ni_syscall          /* 255 */
	.long sys_ni_syscall          /* 256 */
	.long sys_ni_syscall          /* 257 */
	.long sys_ni_syscall          /* 258 */
	.long sys_ni_syscall          /* 259 */
	.long sys_ni_syscall          /* 260 */
	.long sys_ni_syscall          /* 261 */
	.long sys_ni_syscall          /* 262 */
	.long sys_ni_syscall          /* 263 */
	.long sys_ni_syscall          /* 264 */
	.long sys_ni_syscall          /* 265 */
	.long sys_ni_syscall          /* 266 */
	.long sys_ni_syscall          /* 267 */
	.long sys_ni_syscall          /* 268 */
	.long sys_ni_syscall          /* 269 */
	.long sys_ni_syscall          /* 270 */
	.long sys_ni_syscall          /* 271 */
	.long sys_ni_syscall          /* 272 */
	.long sys_ni_syscall          /* 273 */
	.long sys_ni_syscall          /* 274 */
	.long sys_ni_syscall          /* 275 */
	.long sys_ni_syscall          /* 276 */
	.long sys_ni_syscall          /* 277 */
	.long sys_ni_syscall          /* 278 */
	.long sys_ni_syscall          /* 279 */
	.long sys_ni_syscall          /* 280 */
	.long sys_ni_syscall          /* 281 */
	.long sys_ni_syscall          /* 282 */
	.long sys_ni_syscall          /* 283 */
	.long sys_ni_syscall          /* 284 */
	.long sys_ni_syscall          /* 285 */
	.long sys_ni_syscall          /* 286 */
	.long sys_ni_syscall          /* 287 */
	.long sys_ni_syscall          /* 288 */
	.size sys_call_table, . - sys_call_table
	.if (. - sys_call_table) != NR_syscalls * 4
	.error "sys_call_table must have NR_syscalls entries"
	.endif
	.section .note.GNU-stack,"",@progbits
