// F6 / Shift+F6 move keyboard focus between the window's regions (host panel, tabs, event log),
// as in most desktop apps. Terminals and editors swallow Tab, so without this a keyboard user
// who enters a console could not leave it.
const REGIONS = ['[data-region="host"]', '[data-region="tabs"]', '[data-region="events"]'] as const;

const FOCUSABLE = 'button:not(:disabled), [role="tab"][aria-selected="true"], input, select, [tabindex="0"]';

function entryPoint(region: Element): HTMLElement | null {
  const preferred = region.querySelector<HTMLElement>(
    '[role="tab"][aria-selected="true"], [data-focus-entry]',
  );
  return preferred ?? region.querySelector<HTMLElement>(FOCUSABLE);
}

export function moveFocus(direction: 1 | -1, root: ParentNode = document): boolean {
  const regions = REGIONS.map((selector) => root.querySelector(selector)).filter(
    (r): r is Element => r !== null,
  );
  if (regions.length === 0) return false;
  const active = document.activeElement;
  const current = regions.findIndex((region) => active !== null && region.contains(active));
  const start = current === -1 ? (direction === 1 ? -1 : 0) : current;
  for (let step = 1; step <= regions.length; step++) {
    const region = regions[(start + direction * step + regions.length * 2) % regions.length];
    const target = region ? entryPoint(region) : null;
    if (target) {
      target.focus();
      return true;
    }
  }
  return false;
}

export function installRegionKeys(target: Document = document): () => void {
  const onKey = (event: KeyboardEvent): void => {
    if (event.key !== 'F6' || event.ctrlKey || event.altKey || event.metaKey) return;
    if (moveFocus(event.shiftKey ? -1 : 1)) event.preventDefault();
  };
  // Capture phase: reached before Monaco or xterm can stop the event.
  target.addEventListener('keydown', onKey, true);
  return () => target.removeEventListener('keydown', onKey, true);
}
