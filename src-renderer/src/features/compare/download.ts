/** Save a Blob as a file through the browser's download (works in Electron and a plain browser). */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The download has its own reference by now; a later revoke keeps slow browsers safe.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** "compare-p00000001-p00000002" (+ extension by the caller). */
export function exportBaseName(replayIds: readonly string[]): string {
  return `compare-${replayIds.join('-')}`;
}
