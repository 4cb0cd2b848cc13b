/* The S-mode payload (labOS as a flat binary, linked at PAYLOAD_ADDR) embedded in the firmware
 * image; labfw copies it to its link address before the hand-off. */
  .section .payload, "a"
  .balign 16
  .globl payload_start, payload_end
payload_start:
  .incbin "labos.bin"
payload_end:
