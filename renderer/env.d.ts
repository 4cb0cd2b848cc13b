// Ambient declarations for the renderer: Vite's client types, single-file components, and the
// `window.lab` bridge the Electron preload exposes (absent in a plain browser, i.e. web mode).
/// <reference types="vite/client" />
import type { LabBridge } from '../electron/lab-bridge';

declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

declare global {
  interface Window {
    /** Present only inside the Electron app (set by the preload script). */
    readonly lab?: LabBridge;
  }
}
