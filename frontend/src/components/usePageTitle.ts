import { useEffect } from 'react';

/** Names the page in the tab and for screen readers announcing the new page. */
export function usePageTitle(title: string | undefined): void {
  useEffect(() => {
    if (title) document.title = `${title} · Halcyon`;
  }, [title]);
}
