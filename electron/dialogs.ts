// File dialogs for the main process: typed wrappers that return a path or null (cancelled), with
// the lab's file kinds as named filters. Dialogs are modal to the window that asked.
import { dialog, type BrowserWindow } from 'electron';

export const FILE_KINDS = {
  json: { name: 'JSON', extensions: ['json'] },
  patch: { name: 'VMM patches (TypeScript)', extensions: ['ts'] },
  session: { name: 'Lab sessions', extensions: ['cvlab.json'] },
  any: { name: 'All files', extensions: ['*'] },
} as const;

export type FileKind = keyof typeof FILE_KINDS;

export interface FileDialogOptions {
  readonly title: string;
  readonly kinds: readonly FileKind[];
  readonly defaultPath?: string;
}

export async function chooseFileToOpen(
  window: BrowserWindow | null,
  options: FileDialogOptions,
): Promise<string | null> {
  const settings = {
    title: options.title,
    filters: options.kinds.map((kind) => ({
      ...FILE_KINDS[kind],
      extensions: [...FILE_KINDS[kind].extensions],
    })),
    properties: ['openFile' as const],
    ...(options.defaultPath !== undefined ? { defaultPath: options.defaultPath } : {}),
  };
  const result = window
    ? await dialog.showOpenDialog(window, settings)
    : await dialog.showOpenDialog(settings);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

export async function chooseFileToSave(
  window: BrowserWindow | null,
  options: FileDialogOptions,
): Promise<string | null> {
  const settings = {
    title: options.title,
    filters: options.kinds.map((kind) => ({
      ...FILE_KINDS[kind],
      extensions: [...FILE_KINDS[kind].extensions],
    })),
    ...(options.defaultPath !== undefined ? { defaultPath: options.defaultPath } : {}),
  };
  const result = window
    ? await dialog.showSaveDialog(window, settings)
    : await dialog.showSaveDialog(settings);
  return result.canceled || !result.filePath ? null : result.filePath;
}

export function showError(window: BrowserWindow | null, title: string, message: string): void {
  const options = { type: 'error' as const, title, message };
  if (window) void dialog.showMessageBox(window, options);
  else void dialog.showMessageBox(options);
}
