import type { ReactNode } from 'react';

/**
 * A wide table's scroll box: on a phone it scrolls sideways, and as a labelled, focusable
 * region a keyboard user can scroll it with the arrow keys.
 */
export function ListRegion({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <section className="table-scroll" aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}
