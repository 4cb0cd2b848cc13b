// Test helper: flattens a parsed device tree into path -> property map, resolving phandle
// references in the properties that hold them, so trees with different phandle numbering compare.
import type { FdtNode } from '../../../core/hw/dtb/fdt-writer';

export type FlatTree = Map<string, Map<string, string>>;

const PHANDLE_LISTS: Record<string, number> = {
  'interrupt-parent': 1,
  regmap: 1,
  cpu: 1,
  'interrupts-extended': 2,
};

function hexOf(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

export function flattenTree(root: FdtNode): FlatTree {
  const byPhandle = new Map<number, string>();
  const walk = (n: FdtNode, path: string, visit: (n: FdtNode, path: string) => void): void => {
    visit(n, path);
    for (const c of n.children) walk(c, path === '/' ? `/${c.name}` : `${path}/${c.name}`, visit);
  };
  walk(root, '/', (n, path) => {
    const p = n.props.find((x) => x.name === 'phandle');
    if (p !== undefined) byPhandle.set(new DataView(p.value.buffer, p.value.byteOffset).getUint32(0), path);
  });
  const flat: FlatTree = new Map();
  walk(root, '/', (n, path) => {
    const props = new Map<string, string>();
    for (const p of n.props) {
      if (p.name === 'phandle') continue;
      const stride = PHANDLE_LISTS[p.name];
      if (stride === undefined) {
        props.set(p.name, hexOf(p.value));
        continue;
      }
      const view = new DataView(p.value.buffer, p.value.byteOffset, p.value.byteLength);
      const cells = Array.from({ length: p.value.length / 4 }, (_, i) => view.getUint32(i * 4));
      props.set(
        p.name,
        cells.map((c, i) => (i % stride === 0 ? (byPhandle.get(c) ?? `?${c}`) : String(c))).join(' '),
      );
    }
    flat.set(path, props);
  });
  return flat;
}

/** Paths of the nodes both boards have; QEMU's extra devices (pci, rtc, flash, fw-cfg, pmu) are not ours. */
export function isCommonVirtNode(path: string): boolean {
  return (
    /^\/(chosen|poweroff|reboot|memory@80000000|cpus(\/.*)?|soc|soc\/(clint|plic|serial|virtio_mmio|test)@[0-9a-f]+)$/.test(
      path,
    ) && path !== '/soc/serial@10202000'
  );
}

/** Values that differ on purpose: the random seed, our ISA string, and QEMU 7.2's riscv,ndev (96 where the binding means 95). */
export const EXPECTED_VIRT_DIFFERENCES: ReadonlySet<string> = new Set([
  '/chosen:rng-seed',
  '/soc/plic@c000000:riscv,ndev',
]);

/** Every difference between QEMU's tree and ours on the common nodes, as "path:property" lines. */
export function compareCommonVirtNodes(qemu: FlatTree, ours: FlatTree): string[] {
  const out: string[] = [];
  const qPaths = [...qemu.keys()].filter(isCommonVirtNode).sort();
  const oPaths = [...ours.keys()].filter(isCommonVirtNode).sort();
  if (qPaths.join() !== oPaths.join())
    out.push(`node sets differ: QEMU [${qPaths.join(' ')}] ours [${oPaths.join(' ')}]`);
  for (const path of qPaths) {
    const qp = qemu.get(path)!;
    const op = ours.get(path);
    if (op === undefined) continue;
    if ([...qp.keys()].sort().join() !== [...op.keys()].sort().join())
      out.push(`${path}: property names differ`);
    for (const [name, value] of qp) {
      if (EXPECTED_VIRT_DIFFERENCES.has(`${path}:${name}`) || name === 'riscv,isa') continue;
      if (op.get(name) !== value) out.push(`${path}:${name}: QEMU ${value}, ours ${String(op.get(name))}`);
    }
  }
  return out;
}
