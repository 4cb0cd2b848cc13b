// Live refresh for an inspector panel: reload every `ms` while the host runs, the panel's Live box
// is ticked and the panel is on screen (a hidden tab has no offsetParent), so views that nobody
// sees cost the host nothing.
import { onBeforeUnmount, onMounted, type Ref } from 'vue';
import { useHostStore } from '../stores/host';

export function useLiveRefresh(panel: Ref<HTMLElement | null>, live: Ref<boolean>, load: () => Promise<void>, ms: number): void {
  const host = useHostStore();
  let timer: ReturnType<typeof setInterval> | null = null;
  onMounted(() => {
    timer = setInterval(() => {
      if (live.value && host.state === 'running' && panel.value?.offsetParent) void load();
    }, ms);
  });
  onBeforeUnmount(() => {
    if (timer) clearInterval(timer);
  });
}
