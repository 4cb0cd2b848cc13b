// Denial of service: the VMM keeps a paused guest paused. Its toolstack pauses the VM like any
// administrator would, and this patch makes every later unpause a no-op, so the VM is never
// scheduled again. Nothing is read or changed; the guest simply never runs.
export default definePatch({
  name: 'never unpause',
  description: 'Ignores every request to unpause a domain.',
  install(vmm) {
    vmm.wrap('domain.unpause', () => {
      // The request is accepted and dropped: the domain stays paused.
    });
  },
});
