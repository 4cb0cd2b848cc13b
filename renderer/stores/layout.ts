// Window layout: panel sizes, the active tab and the text scale (for a projector). Sizes are
// clamped so a panel can never be dragged out of reach; the layout is saved and restored as a
// validated snapshot.
import { defineStore } from 'pinia';
import { ref } from 'vue';

export const SIDEBAR_MIN = 220;
export const SIDEBAR_MAX = 640;
export const LOG_MIN = 80;
export const LOG_MAX = 700;
export const SCALES = [0.85, 1, 1.15, 1.3, 1.5, 1.75] as const;

export interface LayoutSnapshot {
  readonly sidebarWidth: number;
  readonly logHeight: number;
  readonly scale: number;
}

const clamp = (value: number, min: number, max: number): number =>
  Math.min(max, Math.max(min, Math.round(value)));

export const useLayoutStore = defineStore('layout', () => {
  const sidebarWidth = ref(300);
  const logHeight = ref(200);
  const scale = ref<number>(1);
  const activeTab = ref<string | null>(null);

  function resizeSidebar(width: number): void {
    sidebarWidth.value = clamp(width, SIDEBAR_MIN, SIDEBAR_MAX);
  }

  function resizeLog(height: number): void {
    logHeight.value = clamp(height, LOG_MIN, LOG_MAX);
  }

  function zoom(direction: 1 | -1): void {
    const index = SCALES.findIndex((s) => s >= scale.value);
    const next = SCALES[Math.min(SCALES.length - 1, Math.max(0, (index === -1 ? 1 : index) + direction))];
    if (next !== undefined) scale.value = next;
  }

  function dehydrate(): LayoutSnapshot {
    return { sidebarWidth: sidebarWidth.value, logHeight: logHeight.value, scale: scale.value };
  }

  function hydrate(raw: unknown): boolean {
    if (typeof raw !== 'object' || raw === null) return false;
    const r = raw as Record<string, unknown>;
    if (typeof r.sidebarWidth !== 'number' || typeof r.logHeight !== 'number' || typeof r.scale !== 'number')
      return false;
    if (!(SCALES as readonly number[]).includes(r.scale)) return false;
    resizeSidebar(r.sidebarWidth);
    resizeLog(r.logHeight);
    scale.value = r.scale;
    return true;
  }

  return { sidebarWidth, logHeight, scale, activeTab, resizeSidebar, resizeLog, zoom, dehydrate, hydrate };
});
