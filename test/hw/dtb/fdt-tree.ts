// Test helper: flattens a parsed device tree into path -> property map, resolving phandle
// references in the properties that hold them, so trees with different phandle numbering compare.
import type { FdtNode } from '../../../core/hw/dtb/fdt-writer';

export type FlatTree = Map<string, Map<string, string>>;

const PHANDLE_LISTS: Record<string, number> = { 'interrupt-parent': 1, regmap: 1, cpu: 1, 'interrupts-extended': 2 };

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
      props.set(p.name, cells.map((c, i) => (i % stride === 0 ? (byPhandle.get(c) ?? `?${c}`) : String(c))).join(' '));
    }
    flat.set(path, props);
  });
  return flat;
}
