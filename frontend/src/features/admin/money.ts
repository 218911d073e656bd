/** "12.50" or "12" → 1250 cents; anything else (or more than two decimals) → null. */
export function parseCents(text: string): number | null {
  const value = text.trim().replace(/^\$/, '').replace(',', '.');
  if (!/^\d{1,7}(\.\d{1,2})?$/.test(value)) return null;
  const [whole = '0', fraction = ''] = value.split('.');
  return Number.parseInt(whole, 10) * 100 + Number.parseInt(fraction.padEnd(2, '0') || '0', 10);
}

/** 1250 → "12.50", for an input's starting value. */
export function centsToInput(cents: number): string {
  return (cents / 100).toFixed(2);
}
