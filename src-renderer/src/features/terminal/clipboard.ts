/** Clipboard access with a fallback for contexts where the async Clipboard API is refused. */

export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    // fall back to the legacy path below
  }
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.style.position = 'fixed';
  ta.style.opacity = '0';
  document.body.appendChild(ta);
  ta.select();
  const ok = document.execCommand('copy');
  ta.remove();
  if (!ok) throw new Error('the clipboard refused the copy');
}

export async function readText(): Promise<string> {
  try {
    return await navigator.clipboard.readText();
  } catch (err) {
    throw new Error(
      `cannot read the clipboard here (${err instanceof Error ? err.message : String(err)}); press Ctrl+Shift+V in the terminal instead`,
    );
  }
}
