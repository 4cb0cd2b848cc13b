// The application menu. Host controls go straight to the main process's LabHost (the renderer
// follows through status events), so they work even while the page is busy; keyboard
// accelerators make every control reachable without the mouse (debugger keys: F5 run, Shift+F5
// pause, F10 step; F6 is left to the renderer, where it moves between panels).
import { writeFile } from 'node:fs/promises';
import { app, BrowserWindow, Menu, type MenuItemConstructorOptions } from 'electron';
import type { LabApi } from '../core/lab/lab-api';
import { chooseFileToSave, showError } from './dialogs';

export function buildMenu(lab: LabApi): Menu {
  const focused = (): BrowserWindow | null => BrowserWindow.getFocusedWindow();
  const control = (run: () => Promise<unknown>, what: string) => (): void => {
    run().catch((error: unknown) =>
      showError(focused(), `Could not ${what}`, error instanceof Error ? error.message : String(error)),
    );
  };
  const exportInfo = async (): Promise<void> => {
    const path = await chooseFileToSave(focused(), {
      title: 'Export host description',
      kinds: ['json'],
      defaultPath: 'cloudvisor-host.json',
    });
    if (!path) return;
    const [info, status] = await Promise.all([lab.request('host.info', {}), lab.request('host.status', {})]);
    await writeFile(path, `${JSON.stringify({ info, status }, null, 2)}\n`);
  };
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: '&File',
      submenu: [
        {
          label: 'Export Host Description...',
          accelerator: 'CmdOrCtrl+E',
          click: control(exportInfo, 'export the host description'),
        },
        { type: 'separator' },
        process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
      ],
    },
    {
      label: '&Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    {
      label: '&Host',
      submenu: [
        {
          label: 'Run',
          accelerator: 'F5',
          click: control(() => lab.request('host.start', {}), 'run the host'),
        },
        {
          label: 'Pause',
          accelerator: 'Shift+F5',
          click: control(() => lab.request('host.pause', {}), 'pause the host'),
        },
        {
          label: 'Step 1000 Instructions',
          accelerator: 'F10',
          click: control(() => lab.request('host.step', { instructions: 1000 }), 'step the host'),
        },
        { type: 'separator' },
        {
          label: 'Reset',
          accelerator: 'CmdOrCtrl+Shift+F5',
          click: control(() => lab.request('host.reset', {}), 'reset the host'),
        },
      ],
    },
    {
      label: '&View',
      submenu: [
        { role: 'reload' },
        { role: 'toggleDevTools' },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    { label: '&Help', submenu: [{ label: `About ${app.getName()}`, click: () => app.showAboutPanel() }] },
  ];
  return Menu.buildFromTemplate(template);
}
