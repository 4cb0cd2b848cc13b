// Electron mode: the preload's `window.lab` bridge, turned back into a LabApi. The bridge
// settles every request to an outcome object (contextBridge would drop an Error's code); here a
// failed outcome becomes a LabError again, so stores handle both transports identically.
import type { LabBridge } from '../../electron/lab-bridge';
import type { LabApi } from '../../core/lab/lab-api';
import { LabError, type LabMethod, type LabParams, type LabResult } from '../../core/lab/protocol';
import type { LabTransport } from './transport';

export function ipcLabApi(bridge: LabBridge): LabApi {
  return {
    async request<M extends LabMethod>(method: M, params: LabParams<M>): Promise<LabResult<M>> {
      const outcome = await bridge.request(method, params);
      if (outcome.ok) return outcome.result;
      throw new LabError(outcome.error.code, outcome.error.message);
    },
    onEvents: (listener) => bridge.onEvents(listener),
  };
}

export function connectIpc(bridge: LabBridge): LabTransport {
  const api = ipcLabApi(bridge);
  return {
    mode: 'electron',
    api,
    // The host lives in the main process for as long as this window: a lost host arrives as a
    // 'host-error' event (LabClient in the preload emits one), not as a transport loss.
    onLost: () => () => undefined,
    close: () => undefined,
  };
}
