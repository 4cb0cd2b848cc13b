// The modelled firmware's own SBI identity (BASE get_impl_id / get_impl_version, SBI v2.0
// ch. 4). The spec's IDs and codes are in core/spec/sbi.ts.

/** Not a registered SBI implementation ID ("CVL"); registered ones are small integers (0..11). */
export const FIRMWARE_IMPL_ID = 0x0043_564c;
export const FIRMWARE_IMPL_VERSION = 0x0001_0000;
