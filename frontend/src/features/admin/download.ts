/**
 * Saves a file the API only hands out with the Authorization header: a plain link cannot
 * send it, so fetch the bytes (through the generated client, which adds the token and
 * refreshes it), then click a temporary link to an object URL.
 */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // Give the browser a moment to start the download before the URL goes away.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The file name from `Content-Disposition: attachment; filename="x.csv"`, if any. */
export function filenameFrom(header: string | null, fallback: string): string {
  const match = header?.match(/filename="?([^";]+)"?/i);
  return match?.[1] ?? fallback;
}
